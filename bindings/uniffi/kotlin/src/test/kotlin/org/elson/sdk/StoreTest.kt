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
    private val hash = "\$2b\$12\$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val later = now.plus(Duration.ofMinutes(5))

    @Test
    fun `a family's trade through the store`() = runBlocking {
        openStore("sqlite::memory:").use { store ->
            // The seed's eight migrations, then the SDK's own (security, row-level security,
            // partitioning, environments, per-call overhead, the approval queue's table).
            assertEquals((1L..14L).toList(), store.appliedMigrations())
            val system = systemActor()
            val guardian = userNew(newUser("grace@example.com", hash, UserRole.GUARDIAN), null, now)
            val minor = userNew(newUser("ada@example.com", hash, UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2012, 5, 1)), null, now)
            store.insertUser(system, guardian)
            store.insertUser(system, minor)
            val duplicate = assertThrows<ElsonException.Conflict> { runBlocking { store.insertUser(system, guardian.copy(id = newId())) } }
            assertEquals("CONFLICT", errorCode(duplicate))
            store.linkParent(system, guardian, minor, now)
            val portfolio = portfolioNew(newPortfolioStandard(minor.id, "College fund").copy(guardianApproval = true), newId(), now)
            store.insertPortfolio(system, portfolio)
            val guardianActor = actorOf(guardian)
            val minorActor = actorOf(minor)

            assertEquals(BigDecimal("1000.00"), store.deposit(guardianActor, portfolio.id, BigDecimal("1000.00"), now).cashBalance)

            val order = OrderRequest(newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.BUY, BigDecimal("2")), AssetType.ETF, BigDecimal("250.00"))
            val placed = store.placeTrade(minorActor, order, now)
            assertEquals(GuardianApproval.PENDING, placed.trade.guardianApproval)
            assertTrue(placed.notifications.any { it.userId == guardian.id && it.notificationType == NotificationType.APPROVAL })

            val fill = MarketFill(BigDecimal("250.00"), AssetType.ETF, feeScheduleDefault())
            val blocked = assertThrows<ElsonException.ApprovalRequired> { runBlocking { store.executeTrade(minorActor, placed.trade.id, fill, now) } }
            assertEquals(placed.trade.id, blocked.tradeId)

            store.decideTrade(guardianActor, placed.trade.id, Verdict.Approve, later)
            val executed = store.executeTrade(minorActor, placed.trade.id, fill, later)
            assertEquals(TradeStatus.EXECUTED, executed.trade.status)
            assertEquals(BigDecimal("498.25"), executed.portfolio.cashBalance)
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
