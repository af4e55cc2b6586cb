import { type SettingKey, settingsMeta } from './meta.js';

/** Renders .env.example from the settings table: every variable, its default and meaning. */
export function renderEnvExample(): string {
  const lines = [
    '# .env.example — GENERATED from src/config/settings.ts by `npm run generate`. Do not edit:',
    '# a test fails when this file differs from the settings the tool reads.',
    '#',
    '# Copy to .env (or pass --dotenv FILE, or set ETL_ENV_FILE). Precedence: flag > environment > env file > default.',
    '',
  ];
  for (const key of Object.keys(settingsMeta) as SettingKey[]) {
    const m = settingsMeta[key];
    if (!m.env) continue;
    lines.push(`# ${m.description}${m.flag ? ` (flag ${m.flag.split(' ')[0]})` : ''}`);
    for (const [profile, name] of Object.entries(m.profileEnv ?? {})) lines.push(`# under --profile ${profile}, ${name} is read too (${m.env} wins when both are set)`);
    lines.push(m.default !== undefined ? `${m.env}=${m.default}` : `# ${m.env}=${m.example}`);
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
