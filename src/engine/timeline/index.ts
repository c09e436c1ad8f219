// The event timeline's analyses: lanes and per-lane time order, density tiles, range aggregates, filters,
// call trees and distributions. Pure: the CLI, the workers and the extension use it.
export * from './columns';
export * from './store';
export * from './density';
export * from './aggregate';
export * from './filter';
export * from './call-tree';
export * from './histogram';
export * from './load';
export * from './bandwidth';
