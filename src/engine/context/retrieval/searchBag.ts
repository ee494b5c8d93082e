/**
 * The bag of weighted terms a file is searched by: its text, plus its path and the names it defines again at
 * a higher weight, so that a question naming a file or a definition finds it before files that only mention it.
 */
import type { FileSymbols } from '../fileSymbols';
import { addTextTerms } from './searchTerms';

/** Extra weight of a term in the file's path (on top of the text, which need not contain it). */
export const PATH_TERM_WEIGHT = 6;
/** Extra weight of a term in a defined name (the text holds it once already). */
export const DEFINITION_TERM_WEIGHT = 2;

export interface SearchableFile {
  readonly path: string;
  readonly symbols: Pick<FileSymbols, 'definitions' | 'terms'>;
}

export function fileSearchBag(file: SearchableFile): Map<string, number> {
  const bag = new Map(file.symbols.terms);
  addTextTerms(file.path, bag, PATH_TERM_WEIGHT);
  for (const definition of file.symbols.definitions) addTextTerms(definition.name, bag, DEFINITION_TERM_WEIGHT);
  return bag;
}
