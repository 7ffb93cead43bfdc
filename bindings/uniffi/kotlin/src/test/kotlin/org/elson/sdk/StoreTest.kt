package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The SQLite store through suspend functions: the family flow, durable and atomic. */
class StoreTest {
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val later = now.plus(Duration.ofMinutes(5))

    @Test
    fun `a family's trade through the store`() = runBlocking {
        // bcrypt cost 4: the commands hash the passwords they are given (12 by default).
        openStoreWith("sqlite::memory:", StoreConfig(bcryptCost = 4u)).use { store ->
            // The seed's eight migrations, then the SDK's own (security, row-level security,
            // partitioning, environments, per-call overhead, the approval queue's table,
            // the command log of idempotent commands, the append-only audit log).
            assertEquals((1L..16L).toList(), store.appliedMigrations())
            val system = systemActor()
            // The write API is commands: an account, a child enrolled with their guardian, a portfolio.
            val guardian = store.createUser(system, newAccount("Grace@Example.com", UserRole.GUARDIAN), "grace pass", now)
            assertEquals("grace@example.com", guardian.email)
            assertTrue(guardian.passwordHash.startsWith("\$2b\$04\$"), guardian.passwordHash)
            val duplicate = assertThrows<ElsonException.Conflict> {
                runBlocking { store.createUser(system, newAccount("grace@example.com", UserRole.GUARDIAN).copy(id = newId()), "pw", now) }
            }
            assertEquals("CONFLICT", errorCode(duplicate))
            // A MINOR is not created alone: enrollMinor links the guardian in the same transaction.
            assertThrows<ElsonException.InvalidInput> {
                runBlocking { store.createUser(system, newAccount("kid@example.com", UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2012, 5, 1)), "pw", now) }
            }
            val link = newLinkParent(guardian.id).copy(permissions = permissionsDefault().copy(trading = true))
            val enrolled = store.enrollMinor(system, newAccount("ada@example.com", UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2012, 5, 1)), "ada pass", link, now)
            val minor = enrolled.user
            assertEquals(UserRole.MINOR, minor.role)
            assertEquals(RelationshipStatus.ACTIVE, enrolled.relationship.status)
            assertEquals(minor.id, enrolled.relationship.minorId)
            val guardianActor = actorOf(guardian)
            val minorActor = actorOf(minor)
            // The guardian opens the child's portfolio: with no cash, whatever the caller wishes.
            val portfolio = store.openPortfolio(guardianActor, newId(), newPortfolioStandard(minor.id, "College fund").copy(guardianApproval = true), now)
            assertEquals(BigDecimal("0.00"), portfolio.cashBalance)
            assertEquals(BigDecimal("0.00"), portfolio.totalValue)
            // A minor opens none.
            assertThrows<ElsonException.Forbidden> {
                runBlocking { store.openPortfolio(minorActor, newId(), newPortfolioStandard(minor.id, "Mine"), now) }
            }

            assertEquals(BigDecimal("1000.00"), store.deposit(guardianActor, portfolio.id, BigDecimal("1000.00"), now).cashBalance)

            val order = OrderRequest(newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.BUY, BigDecimal("2")), AssetType.ETF, BigDecimal("250.00"))
            val placed = store.placeTrade(minorActor, order, now)
            assertEquals(GuardianApproval.PENDING, placed.trade.guardianApproval)
            assertTrue(placed.notifications.any { it.userId == guardian.id && it.notificationType == NotificationType.APPROVAL })

            // The execution price is the market's: the price feed (the system actor) states it.
            val fill = marketFillAt(BigDecimal("250.00"), AssetType.ETF)
            val blocked = assertThrows<ElsonException.ApprovalRequired> { runBlocking { store.executeTrade(system, placed.trade.id, fill, now) } }
            assertEquals(placed.trade.id, blocked.tradeId)

            store.decideTrade(guardianActor, placed.trade.id, Verdict.Approve, later)
            // Approved, the minor still may not name the price their trade fills at.
            assertThrows<ElsonException.Forbidden> { runBlocking { store.executeTrade(minorActor, placed.trade.id, fill, later) } }
            assertEquals(TradeStatus.PENDING, store.getTrade(minorActor, placed.trade.id).status)
            val executed = store.executeTrade(system, placed.trade.id, fill, later)
            assertEquals(TradeStatus.EXECUTED, executed.trade.status)
            // 2 × 250.00 + the platform's default fee (0.35 %: 1.75).
            assertEquals(BigDecimal("498.25"), executed.portfolio.cashBalance)
            assertEquals(BigDecimal("1.75"), executed.trade.fees)
            assertTrue(executed.outcome is ExecutionOutcome.Executed)

            // Prices come from the market-data feed, the SDK's service identity: a minor may
            // not change their portfolio rows (Forbidden).
            assertThrows<ElsonException.Forbidden> {
                runBlocking { store.markToMarket(minorActor, portfolio.id, mapOf("VTI" to BigDecimal("255.10")), later) }
            }
            val marked = store.markToMarket(system, portfolio.id, mapOf("VTI" to BigDecimal("255.10")), later.plusSeconds(3600))
            assertEquals(BigDecimal("1008.45"), marked.portfolio.totalValue)
            assertEquals(BigDecimal("510.20"), marked.positions.single().currentValue)
            // Durable: read back.
            assertEquals(marked.portfolio.totalValue, store.getPortfolio(minorActor, portfolio.id).totalValue)
            assertEquals(TradeStatus.EXECUTED, store.getTrade(minorActor, placed.trade.id).status)
            assertEquals(1, store.tradeHistory(minorActor, portfolio.id, 10, 0).size)
            assertThrows<ElsonException.NotFound> { runBlocking { store.getPortfolio(minorActor, newId()) } }
            store.shutdown()
        }
        assertThrows<ElsonException.Open> { runBlocking { openStore("mysql://nope") } }
        Unit
    }
}
