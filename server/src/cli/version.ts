// The product version, from package.json (bundled into the CLI at build time).

import manifest from '../../../package.json';

export const VERSION: string = manifest.version;
