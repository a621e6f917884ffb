import type { teamContract } from '../../../shared/team';
import { currentActor } from '../../core/actor';
import { AppError } from '../../core/errors';
import type { Feature } from '../../core/feature';
import { getSettings } from '../app/settings';
import { adjudicate, assign, progress } from './assign';
import { addUser, checkPassword, listUsers, setPassword, updateUser } from './users';

export const teamFeature: Feature<typeof teamContract> = {
  name: 'team',
  handlers: {
    'team.whoami': () => {
      const actor = currentActor();
      return { team: actor !== null, user: actor ? { username: actor.username, role: actor.role } : null };
    },
    'team.users': (_input, ctx) => listUsers(ctx.db),
    'team.addUser': (input, ctx) => addUser(ctx.db, input),
    'team.updateUser': (input, ctx) => updateUser(ctx.db, input),
    'team.setPassword': (input, ctx) => setPassword(ctx.db, input.username, input.password),
    'team.changePassword': async (input, ctx) => {
      const actor = currentActor();
      if (!actor) {
        throw AppError.keyed('UNSUPPORTED', 'team.changingOwnPasswordNeeds', {});
      }
      if (!(await checkPassword(ctx.db, actor.username, input.currentPassword))) {
        throw AppError.keyed('UNAUTHORIZED', 'team.currentPasswordWrong', {});
      }
      return setPassword(ctx.db, actor.username, input.newPassword, actor.sessionIdHash);
    },
    'team.assign': (input, ctx) => assign(ctx.db, input),
    'team.progress': (input, ctx) => progress(ctx.db, input.projectId),
    'team.adjudicate': (input, ctx) =>
      adjudicate(ctx.db, {
        ...input,
        adjudicator: currentActor()?.username ?? getSettings(ctx.db).annotator,
      }),
  },
};
