/** Arrow IPC input with errors naming the file: moved to @vqrae/data (kept here for the app's existing imports). */
export { integerCell, readArrowTable } from '@vqrae/data';
