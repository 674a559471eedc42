/** The transports and module registry as exported from the package root (one line in src/index.ts). */
export { createTransport, closeAllTransports, becomeTransport, LocalTransport, SshTransport, resolveSshTarget } from './index.js';
export { MODULES, findModule, moduleNames, requireModule, registerModules, parseModuleArgs } from '../../modules/index.js';
