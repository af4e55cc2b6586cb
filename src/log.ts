import createDebug from 'debug';

/** Namespaced debug logger (`etl:sink`, `etl:engine`, ...), switched on by ETL_DEBUG. */
export function logger(namespace: string): createDebug.Debugger {
  return createDebug(`etl:${namespace}`);
}

const debugSetting = process.env.ETL_DEBUG;
if (debugSetting && debugSetting !== '0' && debugSetting !== 'false') {
  // ETL_DEBUG=1 turns on every etl namespace; ETL_DEBUG=etl:sink picks some.
  createDebug.enable(/^(1|true|yes|\*)$/i.test(debugSetting) ? 'etl:*' : debugSetting);
}
