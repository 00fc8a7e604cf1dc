// @netcgi/connector-test/conformance: the app and the cases every connector runs.
export { conformanceApp, conformanceOptions, sha256 } from './app.js';
export {
  conformanceCases,
  patternBytes,
  type ConformanceCase,
  type ConformanceDriver,
  type ConformanceRequest,
  type ConformanceResponse,
} from './cases.js';
