package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant

/**
 * The ACTIVE parent link of [guardian] and [minor], with trading allowed: the family the store
 * tests start from, as a row for `importRows` (the system actor's one path for whole rows).
 */
fun parentLink(guardian: User, minor: User, now: Instant): Relationship =
    relationshipNew(
        newRelationship(guardian.id, minor.id, RelationshipType.PARENT)
            .copy(status = RelationshipStatus.ACTIVE, permissions = permissionsDefault().copy(trading = true)),
        null, now,
    )

/** A portfolio row holding [cash] and nothing else (so total value = cash), for `importRows`. */
fun fundedPortfolio(owner: User, name: String, cash: String, now: Instant, guardianApproval: Boolean = false): Portfolio =
    portfolioNew(newPortfolioStandard(owner.id, name).copy(guardianApproval = guardianApproval), newId(), now)
        .copy(cashBalance = BigDecimal(cash), totalValue = BigDecimal(cash))
