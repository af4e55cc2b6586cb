import { Command } from './commander.js';
import type { ContextHolder } from './context.js';
import { addSettingOptions } from './options.js';

// The commands' definitions (name, help, flags), one function each; an action's code is imported
// when its command runs, so `etl --help` loads none of it (measured by `npm run bench`).

/** `etl seed`: create the product and user catalog. */
export function makeSeedCommand(holder: ContextHolder): Command {
  const cmd = new Command('seed')
    .description('create (or refresh) the product and user catalog')
    .addHelpText(
      'after',
      `
Examples:
  $ etl seed                          100 products, 1,000 users into MongoDB
  $ etl seed --products 5000 --users 100000 --seed 7
  $ etl seed --sink jsonl --out ./data
                                      products.jsonl, users.jsonl (mongoimport)
  $ etl seed --reset                  drop the catalog and create it again

Same --seed => identical documents. Running it twice leaves one copy of each
document (upsert by product_id / user_id).`,
    );
  addSettingOptions(cmd, 'seed');
  cmd.action(async () => (await import('./actions/seed.js')).seedAction(holder.get()));
  return cmd;
}

/** `etl stream`: generate linked events on a timer, validate, write, show live figures. */
export function makeStreamCommand(holder: ContextHolder): Command {
  const cmd = new Command('stream')
    .description('generate sessions, views, cart events, orders, activity and inventory changes, and write them')
    .addHelpText(
      'after',
      `
Live (no --from): the shop runs on the wall clock. Visits arrive at random, at
the rate that gives --rate N records/s on average (--rate population: the
users' own), each step when it happens; what became due is written 20 times a
second, or every --interval S in batches of at most --batch-size N (default:
500 every 1 s). Nothing that fell due during an outage comes in a burst.
A backfill (--from, optionally --to) runs on a simulated clock as fast as the
target takes, unless --rate or --speed paces it; without --to it stops at now.
--duration and --limit bound a run; otherwise it runs until Ctrl-C (a second
Ctrl-C exits at once). --resume continues the run of that seed after its
checkpoint, keeping its --limit (under --resume a total) and --to.

Examples:
  $ etl stream --duration 1m
  $ etl stream --sink jsonl --out ./data --rate 2000 --duration 5s
  $ etl stream --from 2026-01-01 --to 2026-01-08 --workers 2
  $ etl stream --dirty-rate 0.01 --fraud-rate 0.05 --limit 10000
  $ etl stream --resume --seed 1234         continue an interrupted run
  $ etl stream --partition 0/4 --uri mongodb://router:27017
                                            one of 4 processes (sharded cluster)`,
    );
  addSettingOptions(cmd, 'stream');
  cmd.action(async () => (await import('./actions/stream.js')).streamAction(holder.get()));
  return cmd;
}

/** `etl stats`: what is in the store and what is happening, from aggregation pipelines. */
export function makeStatsCommand(holder: ContextHolder): Command {
  const cmd = new Command('stats')
    .description('report sales, behaviour, fraud, stock, dead letters and runs from the stored data')
    .addHelpText(
      'after',
      `
Every figure comes from a MongoDB aggregation pipeline over the stored data;
--from DIR runs the same pipelines in memory (mingo) over the .jsonl files
that \`etl stream --sink jsonl --out DIR\` writes.

Without --since the report covers all the data, from the oldest event to the
newest. --since T covers the T before the newest event (so a backfill of last
year reports too), and says so when it leaves older events out. --watch
stamps each refresh with its time. --json: one object per refresh, with the
time it was taken ("at") and the window ("window").

Examples:
  $ etl stats
  $ etl stats --since 30m --watch
  $ etl stats --from ./data --json | jq .sales
  $ etl stats --profile adaptive-bi     figures of the Adaptive-BI collections`,
    );
  addSettingOptions(cmd, 'stats');
  cmd.action(async () => (await import('./actions/stats.js')).statsAction(holder.get()));
  return cmd;
}

/** `etl schedule`: one bounded stream job per cron tick, never overlapping. */
export function makeScheduleCommand(holder: ContextHolder): Command {
  const cmd = new Command('schedule')
    .description('run one bounded stream job per cron tick (node-cron), never two at once')
    .addHelpText(
      'after',
      `
Each job needs a bound: --limit N and/or --duration T. Jobs continue one seeded
stream: job k starts where job k-1 ended. Ticks that arrive while a job runs are
skipped and counted. --resume: the first job continues the last recorded run of
the seed (a restarted schedule); without it, a seed with records is refused.

Examples:
  $ etl schedule --cron "*/5 * * * *" --limit 10000        every 5 minutes
  $ etl schedule --cron "0 * * * *" --timezone Europe/Berlin --duration 10m
  $ etl schedule --cron "*/10 * * * * *" --limit 2000 --max-jobs 6
                                                every 10 seconds, 6 jobs

Or from the system crontab (no TTY: plain output, exit codes, one etl_runs
record per run):
  */5 * * * * cd /srv/etl && npx etl stream --limit 10000 --quiet >>etl.log 2>&1`,
    );
  addSettingOptions(cmd, 'schedule');
  cmd.action(async () => (await import('./actions/schedule.js')).scheduleAction(holder.get()));
  return cmd;
}

/** `etl verify`: the answer key (etl_expected) against an aggregation of what is stored. */
export function makeVerifyCommand(holder: ContextHolder): Command {
  const cmd = new Command('verify')
    .description('check the stored records against the answer key that `etl stream --answers` wrote, window by window')
    .addHelpText(
      'after',
      `
Reads the answer key (etl_expected: per 1-minute and 1-hour window of record
time and per collection, summed over partitions) and, independently, every
stored document (counted once per _id), and compares their figures: counts,
late and repeated records, dead letters by reason, and for orders revenue and
line revenue by category in cents, units, orders by country and fraud by type.
Point it at your own pipeline's output of the same shape (see the README).

Exit codes: 0 they agree, 1 they differ (the first differences are printed),
2 no answer key or an unreadable target.

Examples:
  $ etl stream --sink jsonl --out ./data --from 2026-01-01 --to 2026-01-08 --answers
  $ etl verify --from ./data
  $ etl verify --uri mongodb://localhost:27017/shop`,
    );
  addSettingOptions(cmd, 'verify');
  cmd.action(async () => (await import('./actions/verify.js')).verifyAction(holder.get()));
  return cmd;
}
