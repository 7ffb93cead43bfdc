package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Idempotent commands (SQLite): every command takes an optional last `commandId`. The same id
 * with the same arguments has one effect and returns the first result; with other arguments, or
 * for another command, it throws `IdempotencyConflict` and changes nothing.
 */
class IdempotencyTest {
    private val hash = "\$2b\$12\$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val later = now.plus(Duration.ofMinutes(5))
    private val system = systemActor()

    /** A store with one adult USER and their empty portfolio (no guardian approval). */
    private fun withOwner(body: suspend (ElsonStore, User, Portfolio) -> Unit) = runBlocking {
        openStoreWith("sqlite::memory:", StoreConfig(bcryptCost = 4u)).use { store ->
            val owner = userNew(newUser("una@example.com", hash, UserRole.USER), null, now)
            val portfolio = fundedPortfolio(owner, "Main", "0.00", now)
            store.importRows(system, ImportBatch(users = listOf(owner), portfolios = listOf(portfolio)), now)
            body(store, owner, portfolio)
            store.shutdown()
        }
        Unit
    }

    @Test
    fun `the same command id twice has one effect`() = withOwner { store, owner, portfolio ->
        val me = actorOf(owner)
        val deposit = newId()
        val first = store.deposit(me, portfolio.id, BigDecimal("100.00"), now, commandId = deposit)
        // The phone never heard back and sends it again, later: the first result, as it was.
        val again = store.deposit(me, portfolio.id, BigDecimal("100.00"), later, commandId = deposit)
        assertEquals(first, again)
        assertEquals(BigDecimal("100.00"), store.getPortfolio(me, portfolio.id).cashBalance)

        // An order, retried: one trade.
        val order = OrderRequest(
            newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.BUY, BigDecimal("2")), AssetType.ETF, BigDecimal("25.00"),
        )
        val place = newId()
        val placed = store.placeTrade(me, order, now, commandId = place)
        assertEquals(placed, store.placeTrade(me, order, later, commandId = place))
        assertEquals(listOf(placed.trade.id), store.tradeHistory(me, portfolio.id, 10, 0).map { it.id })

        // An account, retried: the same user (read again: the command log keeps no PII).
        val signUp = newId()
        val account = newAccount("ada@example.com", UserRole.USER).copy(firstName = "Ada")
        val created = store.createUser(system, account, "ada pass", now, signUp)
        assertEquals(created, store.createUser(system, account, "ada pass", later, signUp))

        // Without a command id every call is a new command.
        store.deposit(me, portfolio.id, BigDecimal("1.00"), now)
        store.deposit(me, portfolio.id, BigDecimal("1.00"), now)
        assertEquals(BigDecimal("102.00"), store.getPortfolio(me, portfolio.id).cashBalance)
    }

    @Test
    fun `eight copies at once have one effect`() = withOwner { store, owner, portfolio ->
        val me = actorOf(owner)
        val id = newId()
        val results = coroutineScope {
            (1..8).map {
                async(Dispatchers.Default) { store.deposit(me, portfolio.id, BigDecimal("5.00"), now, commandId = id) }
            }.awaitAll()
        }
        assertTrue(results.all { it == results[0] }, "one answer: the first")
        assertEquals(BigDecimal("5.00"), store.getPortfolio(me, portfolio.id).cashBalance)
    }

    @Test
    fun `the same command id with another payload is an IdempotencyConflict`() = withOwner { store, owner, portfolio ->
        val me = actorOf(owner)
        val id = newId()
        store.deposit(me, portfolio.id, BigDecimal("100.00"), now, commandId = id)
        val conflict = assertThrows<ElsonException.IdempotencyConflict> {
            runBlocking { store.deposit(me, portfolio.id, BigDecimal("999.00"), now, commandId = id) }
        }
        assertEquals(id, conflict.commandId)
        assertEquals("trading.deposit", conflict.operation)
        assertEquals("IDEMPOTENCY_CONFLICT", errorCode(conflict))
        // Another command under the same id names the first one.
        val other = assertThrows<ElsonException.IdempotencyConflict> {
            runBlocking { store.withdraw(me, portfolio.id, BigDecimal("100.00"), now, commandId = id) }
        }
        assertEquals("trading.deposit", other.operation)
        // Nothing changed.
        assertEquals(BigDecimal("100.00"), store.getPortfolio(me, portfolio.id).cashBalance)
        // Ids are each actor's own: the system's deposit under the same id is its own command.
        assertEquals(BigDecimal("101.00"), store.deposit(system, portfolio.id, BigDecimal("1.00"), now, id).cashBalance)

        // A command id that is not a UUID is refused before anything runs.
        val bad = assertThrows<ElsonException.InvalidInput> {
            runBlocking { store.deposit(me, portfolio.id, BigDecimal("1.00"), now, commandId = "not-a-uuid") }
        }
        assertEquals("commandId", bad.field)
        assertEquals(BigDecimal("101.00"), store.getPortfolio(me, portfolio.id).cashBalance)
    }
}
