package org.elson.sdk

import java.time.Instant

/** Makes [guardian] the ACTIVE parent of [minor], with trading allowed: the family the store tests start from. */
suspend fun ElsonStore.linkParent(actor: Actor, guardian: User, minor: User, now: Instant) {
    insertRelationship(
        actor,
        relationshipNew(
            newRelationship(guardian.id, minor.id, RelationshipType.PARENT)
                .copy(status = RelationshipStatus.ACTIVE, permissions = permissionsDefault().copy(trading = true)),
            null, now,
        ),
    )
}
