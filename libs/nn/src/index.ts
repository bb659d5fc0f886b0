/** @vqrae/nn: Neural-net toolkit on tfjs-core: parameter trees, initialisers, layers, optimisers, schedules, safetensors I/O. */
export {};
