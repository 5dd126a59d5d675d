// Redfish sessions (DSP0266 "Session management"), minimal: the server has no users, only the
// tokens of its --tokens map, so logging in means proving you hold one. POST
// SessionService/Sessions with any UserName and a configured token as Password answers 201 with
// that token as X-Auth-Token (the session's scope is the token's scope) and a session resource;
// DELETE ends the session record. Spec-silent choice: the session token is the configured token
// itself, not a fresh secret, so a session never outlives or widens the token it came from.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Scope } from '../../src/host/policy/scopes.js';
import { ROOT, collection, errorBody, link, notFound, type Json, type RedfishError } from './common.js';

const SESSIONS = `${ROOT}/SessionService/Sessions`;
const MAX_SESSIONS = 64;

export function registerSessions(app: FastifyInstance, tokens: Readonly<Record<string, Scope>>, send: (r: FastifyReply, e: RedfishError) => FastifyReply): void {
  let next = 1;
  const sessions = new Map<string, { user: string }>();
  const resource = (id: string, user: string): Json => ({
    '@odata.id': `${SESSIONS}/${id}`,
    '@odata.type': '#Session.v1_7_2.Session',
    Id: id,
    Name: 'User session',
    UserName: user,
  });

  app.get(`${ROOT}/SessionService`, async () => ({
    '@odata.id': `${ROOT}/SessionService`,
    '@odata.type': '#SessionService.v1_2_0.SessionService',
    Id: 'SessionService',
    Name: 'Sessions: the password is a configured token',
    ServiceEnabled: true,
    SessionTimeout: 86400,
    Sessions: link(SESSIONS),
  }));
  app.get(SESSIONS, async () => collection(SESSIONS, 'SessionCollection', 'Sessions', [...sessions.keys()].map((id) => `${SESSIONS}/${id}`)));
  app.get<{ Params: { id: string } }>(`${SESSIONS}/:id`, async (req, reply) => {
    const s = sessions.get(req.params.id);
    return s ? resource(req.params.id, s.user) : send(reply, notFound(req.url));
  });
  app.post(SESSIONS, async (req, reply) => {
    const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const user = typeof b['UserName'] === 'string' ? b['UserName'] : '';
    const pw = b['Password'];
    if (typeof pw !== 'string' || !Object.prototype.hasOwnProperty.call(tokens, pw)) {
      return send(reply, errorBody(401, 'NoValidSession', 'The password is not a token this service knows.', 'Log in with a configured token as the password.'));
    }
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value ?? '');
    const id = String(next++);
    sessions.set(id, { user });
    return reply.code(201).header('X-Auth-Token', pw).header('Location', `${SESSIONS}/${id}`).send(resource(id, user));
  });
  app.delete<{ Params: { id: string } }>(`${SESSIONS}/:id`, async (req, reply) => {
    if (!sessions.delete(req.params.id)) return send(reply, notFound(req.url));
    return reply.code(204).send();
  });
}
