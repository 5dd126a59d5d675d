export * from './link.js';
export * from './port.js';
export * from './ppb-config.js';
export * from './switch.js';
