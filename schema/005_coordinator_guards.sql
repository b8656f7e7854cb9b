-- 005_coordinator_guards: what a takedown coordinator must not be able to do,
-- refused by the database whatever client talks to it.
--
-- categories     the category codes of TAXONOMY.md with their Japanese names;
--                a takedown request's category must be one of them (patrol
--                brings the rows up to date with its taxonomy on every start)
-- one live request per page and recipient kind: a second request to the
--                same kind of recipient while one is open, sent, acknowledged
--                or reopened is refused, by the guard with a message naming
--                the live one, and by a partial unique index against races
-- withdrawn      the end of a request that was never sent: an open request
--                cannot "expire", it is withdrawn; every refused transition
--                says which ones the request's state allows

CREATE TABLE categories (
	code text PRIMARY KEY,
	ja   text NOT NULL
);
INSERT INTO categories (code, ja) VALUES
	('obscenity', 'わいせつ電磁的記録等の公然陳列'),
	('child_pornography', '児童ポルノ公然陳列'),
	('prostitution_solicitation', '売春目的等の誘引'),
	('child_solicitation', '出会い系サイト規制法の禁止誘引行為 / 児童の性的勧誘'),
	('drug_incitement', '規制薬物の濫用のあおり・唆し'),
	('drug_ad', '規制薬物の広告'),
	('dangerous_drug_ad', '指定薬物等である疑いがある物品の広告'),
	('bank_account_trade', '預貯金通帳等の譲渡等の誘引'),
	('phone_trade', '携帯電話等の無断有償譲渡等の誘引'),
	('phishing', '識別符号の入力を不正に要求する行為'),
	('credential_trade', '不正アクセス行為を助長する行為'),
	('crime_recruitment', '犯罪実行者募集情報'),
	('contract_crime', '殺人・強盗・誘拐等の請負・仲介'),
	('trafficking', '人身売買・臓器売買'),
	('weapons_explosives', '爆発物・銃砲等の製造、拳銃等の譲渡'),
	('suicide_inducement', '自殺の誘引・勧誘、集団自殺の呼びかけ'),
	('loan_shark_ad', '無登録貸金業の広告'),
	('illegal_gambling', '違法オンラインギャンブル等'),
	('fake_shop', '偽ショッピングサイト'),
	('forged_documents', '偽造在留カード・身分証の販売');

-- requests opened before this migration keep their category, whatever it is
ALTER TABLE takedowns ADD CONSTRAINT takedowns_category_known
	FOREIGN KEY (category) REFERENCES categories (code) NOT VALID;

ALTER TABLE takedowns DROP CONSTRAINT IF EXISTS takedowns_status_check;
ALTER TABLE takedowns ADD CONSTRAINT takedowns_status_check
	CHECK (status IN ('open', 'sent', 'acknowledged', 'removed', 'refused', 'expired', 'reopened',
	                  'withdrawn'));
DELETE FROM takedown_transitions WHERE from_status = 'open' AND to_status = 'expired';
INSERT INTO takedown_transitions VALUES ('open', 'withdrawn');

CREATE OR REPLACE FUNCTION takedowns_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	live_id bigint;
	live_status text;
	allowed text;
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'takedown request % cannot be deleted', OLD.id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'open' THEN
			RAISE EXCEPTION 'a takedown request starts as open, not %', NEW.status
				USING ERRCODE = 'check_violation';
		END IF;
		-- FOR SHARE: a concurrent dismissal waits for this request, then sees it
		PERFORM 1 FROM reviews r WHERE r.host_id = NEW.host_id AND r.url_id = NEW.url_id
			AND r.status = 'confirmed' FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'page % is not confirmed: a takedown request needs a confirmed page', NEW.url_id
				USING ERRCODE = 'check_violation';
		END IF;
		SELECT t.id, t.status INTO live_id, live_status FROM takedowns t
			WHERE t.host_id = NEW.host_id AND t.url_id = NEW.url_id
			AND t.recipient_kind = NEW.recipient_kind
			AND t.status IN ('open', 'sent', 'acknowledged', 'reopened')
			ORDER BY t.id LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'page % already has a live request to its %: request % (%); act on that one, or close it first',
				NEW.url_id, NEW.recipient_kind, live_id, live_status
				USING ERRCODE = 'check_violation';
		END IF;
		IF NEW.category IS NULL THEN
			RAISE EXCEPTION 'page % has no category: no rule flagged it and its reviewer chose none; give one (--category)',
				NEW.url_id USING ERRCODE = 'check_violation';
		END IF;
		IF NOT EXISTS (SELECT 1 FROM categories c WHERE c.code = NEW.category) THEN
			RAISE EXCEPTION 'no category ''%'' in the taxonomy (see TAXONOMY.md)', NEW.category
				USING ERRCODE = 'check_violation';
		END IF;
		NEW.opened_by := patrol_actor();
		NEW.opened_at := now();
		NEW.sent_by := NULL;
		NEW.sent_at := NULL;
		NEW.acknowledged_at := NULL;
		NEW.removed_at := NULL;
		NEW.reopened_at := NULL;
		NEW.closed_at := NULL;
		NEW.nevents := 1;
		RETURN NEW;
	END IF;
	IF NEW.id <> OLD.id OR NEW.host_id <> OLD.host_id OR NEW.url_id <> OLD.url_id
	   OR NEW.job_id <> OLD.job_id OR NEW.recipient_kind <> OLD.recipient_kind
	   OR NEW.channel <> OLD.channel OR NEW.category <> OLD.category
	   OR NEW.opened_by <> OLD.opened_by OR NEW.opened_at <> OLD.opened_at THEN
		RAISE EXCEPTION 'takedown request %: only its status, recipient and reference can change', OLD.id
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.sent_by IS DISTINCT FROM OLD.sent_by OR NEW.sent_at IS DISTINCT FROM OLD.sent_at
	   OR NEW.acknowledged_at IS DISTINCT FROM OLD.acknowledged_at
	   OR NEW.reopened_at IS DISTINCT FROM OLD.reopened_at OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
	   OR (NEW.removed_at IS DISTINCT FROM OLD.removed_at
	       AND (NEW.status <> 'removed' OR NEW.status = OLD.status)) THEN
		RAISE EXCEPTION 'takedown request %: its times are set by its transitions', OLD.id
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.status <> OLD.status THEN
		IF NOT EXISTS (SELECT 1 FROM takedown_transitions
			       WHERE from_status = OLD.status AND to_status = NEW.status) THEN
			IF OLD.status = 'open' AND NEW.status = 'expired' THEN
				RAISE EXCEPTION 'takedown request % was never sent, so it cannot expire: withdraw it instead (patrol takedown withdraw %)',
					OLD.id, OLD.id USING ERRCODE = 'check_violation';
			END IF;
			SELECT string_agg(to_status, ', ' ORDER BY to_status) INTO allowed
				FROM takedown_transitions WHERE from_status = OLD.status;
			RAISE EXCEPTION 'illegal takedown transition for request %: % → %; a request that is % can become: %',
				OLD.id, OLD.status, NEW.status, OLD.status, coalesce(allowed, 'nothing (it is final)')
				USING ERRCODE = 'check_violation';
		END IF;
		CASE NEW.status
		WHEN 'sent' THEN
			NEW.sent_at := now();
			NEW.sent_by := patrol_actor();
		WHEN 'acknowledged' THEN
			NEW.acknowledged_at := now();
		WHEN 'removed' THEN
			-- the client may date the removal back to the first recheck that saw it
			IF NEW.removed_at IS NULL OR NEW.removed_at IS NOT DISTINCT FROM OLD.removed_at THEN
				NEW.removed_at := now();
			ELSIF NEW.removed_at > now() OR NEW.removed_at < NEW.opened_at THEN
				RAISE EXCEPTION 'takedown request %: removal time % is not between its opening and now',
					OLD.id, NEW.removed_at USING ERRCODE = 'check_violation';
			END IF;
		WHEN 'reopened' THEN
			NEW.reopened_at := now();
			NEW.removed_at := NULL;
		ELSE
			NEW.closed_at := now();
		END CASE;
	END IF;
	-- every change, and a bare "nevents + 1" (a note), is one event
	IF NEW.status <> OLD.status OR NEW.reference IS DISTINCT FROM OLD.reference
	   OR NEW.recipient IS DISTINCT FROM OLD.recipient OR NEW.nevents <> OLD.nevents THEN
		NEW.nevents := OLD.nevents + 1;
	END IF;
	RETURN NEW;
END
$$;

-- the backstop for two coordinators opening at the same moment; a database
-- that already holds such pairs keeps working, with the guard alone
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM takedowns WHERE status IN ('open', 'sent', 'acknowledged', 'reopened')
		       GROUP BY host_id, url_id, recipient_kind HAVING count(*) > 1) THEN
		CREATE UNIQUE INDEX takedowns_one_live ON takedowns (host_id, url_id, recipient_kind)
			WHERE status IN ('open', 'sent', 'acknowledged', 'reopened');
	ELSE
		RAISE NOTICE 'pages with two live takedown requests to one recipient kind exist: close one of each pair';
	END IF;
END
$$;

-- ------------------------------------------------------------ hotline leads
--
-- Every reported URL is a lead to review, whether or not a rule flags it:
-- a report makes a review row (source 'hotline', detected when reported),
-- a reviewer can confirm it with a category of their choosing, and a
-- request can then be opened for it. A page found by the rules that is
-- also reported becomes a hotline lead too.

ALTER TABLE reviews ADD COLUMN source text NOT NULL DEFAULT 'rule'
	CHECK (source IN ('rule', 'hotline'));
ALTER TABLE reviews ADD COLUMN category text REFERENCES categories (code);

CREATE FUNCTION reports_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO reviews (host_id, url_id, job_id, flagged_at, source)
	VALUES (NEW.host_id, NEW.url_id, NEW.job_id, NEW.reported_at, 'hotline')
	ON CONFLICT (host_id, url_id) DO UPDATE SET source = 'hotline'
	WHERE reviews.source <> 'hotline';
	RETURN NULL;
END
$$;
CREATE TRIGGER reports_lead AFTER INSERT ON reports
	FOR EACH ROW EXECUTE FUNCTION reports_lead();

INSERT INTO reviews (host_id, url_id, job_id, flagged_at, source)
SELECT DISTINCT ON (p.host_id, p.url_id) p.host_id, p.url_id, p.job_id, p.reported_at, 'hotline'
FROM reports p ORDER BY p.host_id, p.url_id, p.reported_at, p.id
ON CONFLICT (host_id, url_id) DO NOTHING;
UPDATE reviews r SET source = 'hotline'
WHERE r.source <> 'hotline'
AND EXISTS (SELECT 1 FROM reports p WHERE p.host_id = r.host_id AND p.url_id = r.url_id);
