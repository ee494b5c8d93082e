/** Replaced at build time by esbuild from package.json; "dev" when run from source (tests via tsx). */
declare const __HEARTH_VERSION__: string | undefined;

export const ENGINE_VERSION: string = typeof __HEARTH_VERSION__ === 'string' ? __HEARTH_VERSION__ : 'dev';
