// The engine's version, written into every results document.
export const ENGINE_VERSION = '0.2.0';
