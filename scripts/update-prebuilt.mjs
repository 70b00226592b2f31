// Rebuilds firmware/prebuilt/ (release images of every chemistry, version = package.json's) with
// the installed AVR toolchain and rewrites SHA256SUMS. Run after changing the firmware sources or
// the package version: `npm run firmware:prebuilt`. test/package/prebuilt.test.ts checks the result.
import { buildPrebuilt, PREBUILT_DIR } from '../dist/src/firmware/prebuilt.js';

const sums = await buildPrebuilt(PREBUILT_DIR);
for (const [name, sum] of sums) console.log(`${sum}  ${name}`);
