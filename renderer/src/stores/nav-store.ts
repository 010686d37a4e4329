import { create } from 'zustand';

/** The page shown, mirrored in the address hash (`#/media`) so a reload stays on it. */
interface NavState {
  page: string;
  navigate(page: string): void;
}

function pageFromHash(hash: string): string {
  const m = /^#\/([a-z0-9-]+)/.exec(hash);
  return m?.[1] ?? 'projects';
}

export const useNav = create<NavState>((set) => ({
  page: typeof location === 'undefined' ? 'projects' : pageFromHash(location.hash),
  navigate(page) {
    if (typeof location !== 'undefined' && location.hash !== `#/${page}`) {
      // replaceState keeps the token query and does not fire hashchange twice
      history.replaceState(null, '', `${location.pathname}${location.search}#/${page}`);
    }
    set({ page });
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => useNav.setState({ page: pageFromHash(location.hash) }));
}
