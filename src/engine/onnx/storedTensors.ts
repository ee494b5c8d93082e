/** A file of converted tensors (the converted-weights cache's `ConvertedWeights` satisfies it). */
export interface StoredTensors {
  /** Absolute path of the file. */
  path: string;
  tensor(name: string): { offset: number; length: number };
}
