import { type Command, Option } from './commander.js';
import { type CommandName, type SettingKey, settingsFor, settingsMeta } from '../config/meta.js';

function helpSuffix(key: SettingKey): string {
  const m = settingsMeta[key];
  const parts: string[] = [];
  const underProfiles = Object.entries(m.profileDefault ?? {}).map(([profile, value]) => `, ${value} under --profile ${profile}`);
  if (m.default !== undefined && m.flag?.includes('<')) parts.push(`default: ${m.default}${underProfiles.join('')}`);
  if (m.env) parts.push(`env: ${m.env}${Object.entries(m.profileEnv ?? {}).map(([profile, name]) => `, or ${name} under --profile ${profile}`).join('')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** Adds the command-specific flags of the settings table (no commander defaults: precedence lives in config/). */
export function addSettingOptions(cmd: Command, command: CommandName): Command {
  for (const key of settingsFor(command)) {
    const m = settingsMeta[key];
    if (!m.flag || m.commands.includes('global')) continue;
    const option = new Option(m.flag, m.description + helpSuffix(key));
    // A repeated flag collects its values as the variable holds them: joined with ";".
    if (m.repeatable) option.argParser((value: string, previous: string | undefined) => (previous === undefined ? value : `${previous};${value}`));
    cmd.addOption(option);
  }
  return cmd;
}

/** The global flags: on the program, accepted before or after the command name. */
export function addGlobalOptions(cmd: Command): Command {
  for (const key of Object.keys(settingsMeta) as SettingKey[]) {
    const m = settingsMeta[key];
    if (!m.flag || !m.commands.includes('global')) continue;
    cmd.addOption(new Option(m.flag, m.description + helpSuffix(key)));
  }
  cmd.option('--dotenv <path>', 'read settings from this file (ETL_ENV_FILE; default: .env when present)');
  cmd.option('--no-color', 'no colours (also NO_COLOR, or when not a terminal)');
  return cmd;
}
