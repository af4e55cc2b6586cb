import { type SettingKey, settingsMeta } from './meta.js';

/**
 * Renders .env.example from the settings table: every variable, its default and meaning.
 * Every assignment is commented out, so a copy used as `.env` changes nothing until a line is
 * uncommented: a value that only restates a default would still count as given (an
 * ETL_INTERVAL=1 would pace a backfill, a MONGODB_DATABASE=ecommerce would follow the user into
 * --profile adaptive-bi).
 */
export function renderEnvExample(): string {
  const lines = [
    '# .env.example — GENERATED from src/config/settings.ts by `npm run generate`. Do not edit:',
    '# a test fails when this file differs from the settings the tool reads.',
    '#',
    '# Copy to .env (or pass --dotenv FILE, or set ETL_ENV_FILE) and uncomment only what you change:',
    '# as it stands, every line is a comment and the tool runs on its defaults.',
    '# Precedence: flag > environment > env file > default; a flag you type always wins.',
    '',
  ];
  for (const key of Object.keys(settingsMeta) as SettingKey[]) {
    const m = settingsMeta[key];
    if (!m.env) continue;
    const underProfiles = Object.entries(m.profileDefault ?? {}).map(([profile, value]) => `, ${value} under --profile ${profile}`);
    const byDefault = m.default !== undefined ? `default ${m.default}${underProfiles.join('')}` : 'unset by default';
    lines.push(`# ${m.description} (${m.flag ? `flag ${m.flag.split(' ')[0]}; ` : ''}${byDefault})`);
    for (const [profile, name] of Object.entries(m.profileEnv ?? {})) lines.push(`# under --profile ${profile}, ${name} is read too (${m.env} wins when both are set)`);
    lines.push(`# ${m.env}=${m.default ?? m.example}`);
    lines.push('');
  }
  lines.push('# docker-compose.yml: credentials of the MongoDB it starts (required there, never hard-coded).');
  lines.push('# MONGO_ROOT_USERNAME=etl');
  lines.push('# MONGO_ROOT_PASSWORD=change-me');
  lines.push('# MONGO_PORT=27017');
  lines.push('');
  lines.push('# Debug logging by namespace (etl:*, etl:sink, etl:engine, ...): ETL_DEBUG=1 for all.');
  lines.push('# ETL_DEBUG=1');
  lines.push('');
  return lines.join('\n');
}
