export * from './html.js';
export * from './charts.js';
export * from './image-grid.js';
export * from './metric-table.js';
export * from './eval-report.js';
