/** Scenario files for the virtual board: types, validation, loading (reference: docs/scenarios.md). */
export { loadScenarioFile, parseScenarioText } from './load.js';
export { CHEMISTRIES, defaultScenario, parseScenario, type ParseOptions } from './parse.js';
export { parseDuration, parseHour } from './reader.js';
export * from './types.js';
