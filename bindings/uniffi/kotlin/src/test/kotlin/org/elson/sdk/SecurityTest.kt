package org.elson.sdk

import java.math.BigDecimal
import java.nio.ByteBuffer
import java.time.Instant
import java.time.LocalDate
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Login, two-factor, attempt limits, PII keys, the approval queue, notifications and the audit log from Kotlin. */
class SecurityTest {
    private val now = Instant.parse("2026-11-26T09:00:00Z")
    private val config = StoreConfig(bcryptCost = 4u, loginMaxFailures = 2u, loginLockoutSeconds = 60u)

    /** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app computes it. */
    private fun totp(secretBase32: String, at: Instant): String {
        val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        var bits = 0L
        var count = 0
        val key = java.io.ByteArrayOutputStream()
        for (c in secretBase32.uppercase()) {
            bits = (bits shl 5) or alphabet.indexOf(c).toLong()
            count += 5
            if (count >= 8) {
                key.write(((bits shr (count - 8)) and 0xff).toInt())
                count -= 8
            }
        }
        val mac = Mac.getInstance("HmacSHA1").apply { init(SecretKeySpec(key.toByteArray(), "HmacSHA1")) }
        val hash = mac.doFinal(ByteBuffer.allocate(8).putLong(at.epochSecond / 30).array())
        val offset = hash.last().toInt() and 0x0f
        val value = ByteBuffer.wrap(hash, offset, 4).int and 0x7fffffff
        return "%06d".format(value % 1_000_000)
    }

    @Test
    fun `login, two-factor and the attempt limit`() = runBlocking {
        openStoreWith("sqlite::memory:", config).use { store ->
            val system = systemActor()
            assertTrue(store.hashPassword("s3cret pass").startsWith("\$2b\$04\$"))
            // Self sign-up: the new account's own id is the actor (USER or GUARDIAN only).
            val id = newId()
            val user = store.createUser(Actor(id, UserRole.USER, UserStatus.ACTIVE), newAccount("kim@example.com", UserRole.USER).copy(id = id), "s3cret pass", now)
            assertEquals(id, user.id)
            assertTrue(user.passwordHash.startsWith("\$2b\$04\$"), user.passwordHash)
            // Nobody signs themself up as an ADMIN.
            val other = newId()
            assertThrows<ElsonException.Forbidden> {
                runBlocking { store.createUser(Actor(other, UserRole.ADMIN, UserStatus.ACTIVE), newAccount("eve@example.com", UserRole.ADMIN).copy(id = other), "pw", now) }
            }

            val outcome = store.login("Kim@Example.com", "s3cret pass", now)
            assertEquals(user.id, (outcome as LoginOutcome.Authenticated).actor.id)
            val wrong = assertThrows<ElsonException.AuthenticationFailed> { runBlocking { store.login("kim@example.com", "nope", now) } }
            val unknown = assertThrows<ElsonException.AuthenticationFailed> { runBlocking { store.login("who@example.com", "nope", now) } }
            assertEquals(wrong.reason, unknown.reason)
            assertEquals("AUTHENTICATION_FAILED", errorCode(wrong))
            // The second failure in a row locks the email: even the right password waits.
            assertThrows<ElsonException.AuthenticationFailed> { runBlocking { store.login("kim@example.com", "nope", now.plusSeconds(1)) } }
            val locked = assertThrows<ElsonException.AuthenticationFailed> { runBlocking { store.login("kim@example.com", "s3cret pass", now.plusSeconds(2)) } }
            assertTrue(locked.reason.contains("too many failed attempts"), locked.reason)
            assertTrue(store.login("kim@example.com", "s3cret pass", now.plusSeconds(62)) is LoginOutcome.Authenticated)

            // Two-factor: enroll, confirm with a first code, then log in in two steps.
            val me = actorOf(user)
            val enrollment = store.enrollTwoFactor(me, user.id, now)
            assertTrue(enrollment.otpauthUri().startsWith("otpauth://totp/"))
            assertFalse(enrollment.toString().contains(enrollment.secretBase32()))
            val t1 = now.plusSeconds(90)
            store.confirmTwoFactor(me, user.id, totp(enrollment.secretBase32(), t1), t1)
            val t2 = now.plusSeconds(150)
            val step = store.login("kim@example.com", "s3cret pass", t2) as LoginOutcome.TwoFactorRequired
            assertEquals(user.id, step.challenge.userId())
            val code = totp(enrollment.secretBase32(), t2)
            assertEquals(user.id, store.completeLogin(step.challenge, code, t2).id)
            val replay = assertThrows<ElsonException.AuthenticationFailed> { runBlocking { store.completeLogin(step.challenge, code, t2) } }
            assertTrue(replay.reason.contains("already used"), replay.reason)
            store.shutdown()
        }
        Unit
    }

    @Test
    fun `PII is ciphertext under the app's key, and a snapshot keeps it`() = runBlocking {
        val dir = java.nio.file.Files.createTempDirectory("elson-kt-")
        val url = "sqlite://${dir.resolve("elson.db")}"
        val backup = dir.resolve("backup.db").toString()
        val key = PiiKey.generate("device-1")
        assertEquals(32, key.keyBytes().size)
        assertEquals("device-1", key.keyId())
        val sameKey = PiiKey(key.keyId(), key.keyBytes())
        assertThrows<ElsonException.InvalidInput> { PiiKey("k", ByteArray(31)) }
        val system = systemActor()
        val hash = "\$2b\$12\$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."
        val guardian = userNew(newUser("grace@example.com", hash, UserRole.GUARDIAN), null, now)
        val minor = userNew(
            newUser("ada@example.com", hash, UserRole.MINOR)
                .copy(firstName = "Ada", lastName = "Lovelace", dateOfBirth = LocalDate.of(2013, 3, 1)),
            null, now,
        )
        openStoreWith(url, StoreConfig(piiKey = key)).use { store ->
            // Rows made elsewhere (a backfill) come in through the system actor's import; a MINOR with their guardian.
            val report = store.importRows(system, ImportBatch(users = listOf(guardian, minor), relationships = listOf(parentLink(guardian, minor, now))), now)
            assertEquals(2uL, report.users)
            assertEquals(1uL, report.relationships)
            assertEquals("Ada", store.getUser(system, minor.id).firstName)
            store.snapshot(system, backup)
            assertThrows<ElsonException.Forbidden> { runBlocking { store.snapshot(actorOf(minor), "$backup-2") } }
            store.shutdown()
        }
        // Without the key the names do not open: a typed error, not ciphertext shown as a name.
        openStore(url).use { plain ->
            assertThrows<ElsonException.Crypto> { runBlocking { plain.getUser(system, minor.id) } }
            plain.shutdown()
        }
        // The snapshot is a database of its own, readable with the same key.
        openStoreWith("sqlite://$backup", StoreConfig(piiKey = sameKey)).use { copy ->
            assertEquals("Lovelace", copy.getUser(system, minor.id).lastName)
            copy.shutdown()
        }
        Unit
    }

    @Test
    fun `the guardian's approval queue and the audit log`() = runBlocking {
        openStoreWith("sqlite::memory:", config).use { store ->
            val system = systemActor()
            val hash = store.hashPassword("pw")
            val guardian = userNew(newUser("gina@example.com", hash, UserRole.GUARDIAN), null, now)
            val minor = userNew(newUser("max@example.com", hash, UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2013, 3, 1)), null, now)
            val portfolio = portfolioNew(newPortfolioStandard(minor.id, "Savings").copy(guardianApproval = true), newId(), now)
            store.importRows(
                system,
                ImportBatch(users = listOf(guardian, minor), relationships = listOf(parentLink(guardian, minor, now)), portfolios = listOf(portfolio)),
                now,
            )
            assertEquals(BigDecimal("500.00"), store.deposit(actorOf(guardian), portfolio.id, BigDecimal("500.00"), now).cashBalance)
            val order = OrderRequest(newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.BUY, BigDecimal("1")), AssetType.ETF, BigDecimal("250.00"))
            val placed = store.placeTrade(actorOf(minor), order, now)

            val queue = store.approvalQueue(actorOf(guardian), guardian.id)
            assertEquals(listOf(placed.trade.id), queue.map { it.trade.id })
            assertEquals("Savings", queue.single().portfolioName)
            // Someone else's queue is not theirs to read.
            assertThrows<ElsonException.Forbidden> { runBlocking { store.approvalQueue(actorOf(minor), guardian.id) } }

            // The guardian's inbox holds the approval request; reading it marks it READ for good.
            val g = actorOf(guardian)
            val request = store.notifications(g, guardian.id, 20, 0).single { it.notificationType == NotificationType.APPROVAL }
            assertEquals(NotificationStatus.UNREAD, request.status)
            // Only its recipient marks it, through the notification state machine.
            assertThrows<ElsonException.Forbidden> {
                runBlocking { store.markNotification(actorOf(minor), request.id, NotificationEvent.MARK_READ, now.plusSeconds(4)) }
            }
            val read = store.markNotification(g, request.id, NotificationEvent.MARK_READ, now.plusSeconds(5))
            assertEquals(NotificationStatus.READ, read.status)
            assertEquals(now.plusSeconds(5), read.readAt)
            assertEquals(read, notificationTransition(request, NotificationEvent.MARK_READ, now.plusSeconds(5)))
            assertTrue(store.notificationsWithStatus(g, guardian.id, NotificationStatus.UNREAD).none { it.id == request.id })
            assertEquals(NotificationStatus.READ, store.notifications(g, guardian.id, 20, 0).single { it.id == request.id }.status)
            assertThrows<ElsonException.Forbidden> { runBlocking { store.notifications(actorOf(minor), guardian.id, 20, 0) } }

            // The guardian's read of the minor's trades is on record; only an admin reads the log.
            val log = store.auditLog(system, 100)
            assertTrue(log.any { it.actorId == guardian.id && it.action == "query" && it.detail == "basis=GUARDIAN" }, log.toString())
            assertThrows<ElsonException.Forbidden> { runBlocking { store.auditLog(actorOf(guardian), 10) } }
            store.shutdown()
        }
        Unit
    }
}
