/** The app's backend selection is the library's (`@vqrae/nn` setupRuntime / selectBackend), re-exported here. */
export { BackendError, loadTf, selectBackend, type BackendChoice, type BackendName, type BackendSelection, type ModuleLoader } from '@vqrae/nn';
