// The account the browser tests sign up first, and where its session is kept.
export const SESSION_FILE = '.auth/session.json';
export const OWNER = { account: 'Relay Test Co', email: 'owner@example.com', password: 'correct horse battery' };
