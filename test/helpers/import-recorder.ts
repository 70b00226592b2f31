/**
 * `node --import <this file>`: records the URL of every module the process resolves through the
 * ES module loader, one per line, in the file named by LTOBMS_IMPORT_LOG. Tests use it to prove
 * which packages a command loads (src/cli/commands: the command table loads no implementation).
 */
import { register } from 'node:module';

register(new URL('./import-recorder-hooks.js', import.meta.url));
