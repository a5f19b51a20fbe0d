import { createContext, useContext, useState } from 'react';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import type { SearchRequest, TokenSummary } from '../api/types';
import { EMPTY_SEARCH_FORM } from '../lib/search';
import type { SearchForm } from '../lib/search';

export type { SearchForm };

export interface SearchResults {
  /** The criteria searched (without a cursor), to ask for further pages. */
  request: SearchRequest;
  tokens: TokenSummary[];
  nextCursor: string | null;
  /** cursors[i] fetched page i + 1 (undefined: the first page). */
  cursors: (string | undefined)[];
}

export interface SearchMemory {
  form: SearchForm;
  results: SearchResults | null;
}

export const EMPTY_SEARCH: SearchMemory = {
  form: EMPTY_SEARCH_FORM,
  results: null,
};

const SearchMemoryContext = createContext<[SearchMemory, Dispatch<SetStateAction<SearchMemory>>] | null>(null);

/**
 * The last search, kept in React state for as long as the agent is signed in,
 * so that going back from a token finds the results again. Never in the URL,
 * in history state or in storage: it may hold a PAN, a card's last 4 and
 * expiry, or a phone number.
 */
export function SearchMemoryProvider({ children }: { children: ReactNode }) {
  const state = useState<SearchMemory>(EMPTY_SEARCH);
  return <SearchMemoryContext.Provider value={state}>{children}</SearchMemoryContext.Provider>;
}

export function useSearchMemory(): [SearchMemory, Dispatch<SetStateAction<SearchMemory>>] {
  const value = useContext(SearchMemoryContext);
  if (!value) throw new Error('useSearchMemory outside SearchMemoryProvider');
  return value;
}
