/**
 * The `demo` source: deterministic, Google Takeout-shaped data for all of Google's Data Portability
 * resource groups, with switchable faults. See source.ts for the behaviour and faults.ts for the fault rules.
 */
export { createDemoSource, type DemoSourceOptions } from './source.js';
export { createMemoryFaultLedger, parseDemoFaults, type DemoFault, type DemoFaultRule, type FaultLedger } from './faults.js';
export { demoGroupNames, supportsTimeFilter } from './registry.js';
