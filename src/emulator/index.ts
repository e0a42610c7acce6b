/**
 * Emulator controls for client developers, active only when the server runs the demo source: faults set at
 * run time and a clock offset, both kept in the database so the CLI can change a running server.
 */
export { createEmulatorClock, type EmulatorClock, type EmulatorClockOptions } from './clock.js';
export { createRuntimeFaults, setRuntimeFaults, clearRuntimeFaults, listRuntimeFaults, formatFault } from './faults.js';
// The demo source's fault syntax, for the controls that set faults (CLI, console) without importing the source.
export { parseDemoFaults } from '../sources/demo/index.js';
export { recordDemoSourceStatus, readDemoSourceStatus, readClockOffsetMs, writeClockOffsetMs, type DemoSourceStatus } from './settings.js';
