-- The web console's users and their sessions (patrol serve, patrol user).
-- A user's name is the actor written into every review and takedown event
-- the user causes, as the CLI's --as is.

CREATE TABLE console_users (
	id             bigserial PRIMARY KEY,
	name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
	role           text NOT NULL CHECK (role IN ('patrol', 'rule_author', 'coordinator', 'admin')),
	pw_hash        text NOT NULL,              -- Argon2id, libsodium's crypto_pwhash_str format
	disabled       boolean NOT NULL DEFAULT false,
	failed_logins  integer NOT NULL DEFAULT 0, -- failures since the last success
	locked_until   timestamptz,                -- refused until then, whatever the password
	created_at     timestamptz NOT NULL DEFAULT now(),
	last_login     timestamptz
);

-- A session is known by the SHA-256 of its cookie token, so a copy of this
-- table gives nobody a way in.
CREATE TABLE console_sessions (
	token_sha256   text PRIMARY KEY,
	user_id        bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
	csrf           text NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	last_seen      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
