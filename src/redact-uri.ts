import { redactConnectionString } from 'mongodb-connection-string-url';
import { redactText } from './redact.js';

/** Redacts one connection string (password replaced), tolerating strings the parser rejects. */
export function redactUri(uri: string): string {
  try {
    return redactConnectionString(uri, { redactUsernames: false, replacementString: '****' });
  } catch {
    return redactText(uri);
  }
}
