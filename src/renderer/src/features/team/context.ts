import { createContext, useContext } from 'react';
import type { TeamUserInfo } from '../../../../shared/team';

export type { TeamUserInfo };

export interface TeamState {
  readonly user: TeamUserInfo;
  logout(): void;
}

/** The logged-in person in team mode; null in the desktop app and single-user browser mode. */
export const TeamContext = createContext<TeamState | null>(null);

export function useTeam(): TeamState | null {
  return useContext(TeamContext);
}

/** True when the page runs as an annotator in team mode (only the Review step). */
export function useIsAnnotator(): boolean {
  return useTeam()?.user.role === 'annotator';
}
