/*
 * taxonomy.c - the category codes rules may use, kept in C so that a rule
 * file naming a code outside TAXONOMY.md is refused at load time with its
 * file:line, instead of filing hits under a category nobody reviews.
 */
#include "classifiers/taxonomy.h"

#include <string.h>

static const struct taxonomy_entry taxonomy[] = {
	{ "obscenity", "わいせつ電磁的記録等の公然陳列" },
	{ "child_pornography", "児童ポルノ公然陳列" },
	{ "prostitution_solicitation", "売春目的等の誘引" },
	{ "child_solicitation", "出会い系サイト規制法の禁止誘引行為 / 児童の性的勧誘" },
	{ "drug_incitement", "規制薬物の濫用のあおり・唆し" },
	{ "drug_ad", "規制薬物の広告" },
	{ "dangerous_drug_ad", "指定薬物等である疑いがある物品の広告" },
	{ "bank_account_trade", "預貯金通帳等の譲渡等の誘引" },
	{ "phone_trade", "携帯電話等の無断有償譲渡等の誘引" },
	{ "phishing", "識別符号の入力を不正に要求する行為" },
	{ "credential_trade", "不正アクセス行為を助長する行為" },
	{ "crime_recruitment", "犯罪実行者募集情報" },
	{ "contract_crime", "殺人・強盗・誘拐等の請負・仲介" },
	{ "trafficking", "人身売買・臓器売買" },
	{ "weapons_explosives", "爆発物・銃砲等の製造、拳銃等の譲渡" },
	{ "suicide_inducement", "自殺の誘引・勧誘、集団自殺の呼びかけ" },
	{ "loan_shark_ad", "無登録貸金業の広告" },
	{ "illegal_gambling", "違法オンラインギャンブル等" },
	{ "fake_shop", "偽ショッピングサイト" },
	{ "forged_documents", "偽造在留カード・身分証の販売" },
};

#define NTAXONOMY (sizeof(taxonomy) / sizeof(taxonomy[0]))

const struct taxonomy_entry *taxonomy_find(const char *code)
{
	size_t i;

	if (!code)
		return NULL;
	for (i = 0; i < NTAXONOMY; i++)
		if (!strcmp(taxonomy[i].code, code))
			return &taxonomy[i];
	return NULL;
}

size_t taxonomy_count(void)
{
	return NTAXONOMY;
}

const struct taxonomy_entry *taxonomy_get(size_t i)
{
	return i < NTAXONOMY ? &taxonomy[i] : NULL;
}
