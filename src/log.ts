import createDebug from 'debug';
import { debugNamespaces } from './shared/switches.js';

/** Namespaced debug logger (`etl:sink`, `etl:engine`, ...), switched on by ETL_DEBUG. */
export function logger(namespace: string): createDebug.Debugger {
  return createDebug(`etl:${namespace}`);
}

// ETL_DEBUG=1 turns on every etl namespace; ETL_DEBUG=etl:sink picks some; ETL_DEBUG=0/false none.
const namespaces = debugNamespaces(process.env.ETL_DEBUG);
if (namespaces) createDebug.enable(namespaces);
