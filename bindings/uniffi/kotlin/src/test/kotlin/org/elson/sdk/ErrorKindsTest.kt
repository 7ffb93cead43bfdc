package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Every error kind of the core, provoked through a real call, thrown with its fields and code. */
class ErrorKindsTest {
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val portfolioId = "67e55044-10b1-426f-9247-bb680e5fe0c8"

    private fun emptyBook(cash: String = "100.00"): Book {
        val p = portfolioNew(newPortfolioStandard(newId(), "Errors"), portfolioId, now)
        return Book(p).also { it.deposit(BigDecimal(cash), now) }
    }

    @Test
    fun invalidInput() {
        val e = assertThrows<ElsonException.InvalidInput> { checkScore("risk_score", 101) }
        assertEquals("risk_score", e.field)
        assertTrue(e.reason.isNotBlank())
        assertEquals("INVALID_INPUT", errorCode(e))
    }

    @Test
    fun insufficientFunds() {
        emptyBook("10.00").use { b ->
            val buy = tradeNew(newTradeMarket(newId(), portfolioId, "AAPL", TradeSide.BUY, BigDecimal("1")), now)
            val e = assertThrows<ElsonException.InsufficientFunds> { b.execute(buy, Execution(BigDecimal("100.00"), AssetType.STOCK, feeScheduleDefault(), now)) }
            assertEquals(BigDecimal("100.50"), e.needed) // notional + minimum fee 0.50
            assertEquals(BigDecimal("10.00"), e.available)
            assertEquals("INSUFFICIENT_FUNDS", errorCode(e))
        }
    }

    @Test
    fun insufficientQuantity() {
        emptyBook().use { b ->
            val sell = tradeNew(newTradeMarket(newId(), portfolioId, "AAPL", TradeSide.SELL, BigDecimal("1")), now)
            val e = assertThrows<ElsonException.InsufficientQuantity> { b.execute(sell, Execution(BigDecimal("10.00"), AssetType.STOCK, feeScheduleZero(), now)) }
            assertEquals("AAPL", e.symbol)
            assertEquals(BigDecimal("1"), e.requested)
            assertEquals(0, e.held.signum())
            assertEquals("INSUFFICIENT_QUANTITY", errorCode(e))
        }
    }

    @Test
    fun approvalRequired() {
        emptyBook().use { b ->
            val t = tradeNew(newTradeMarket(newId(), portfolioId, "AAPL", TradeSide.BUY, BigDecimal("0.1")), now)
                .let { applyApprovalDecision(it, ApprovalDecision.Pending) }
            val e = assertThrows<ElsonException.ApprovalRequired> { b.execute(t, Execution(BigDecimal("10.00"), AssetType.STOCK, feeScheduleZero(), now)) }
            assertEquals(t.id, e.tradeId)
            assertEquals("APPROVAL_REQUIRED", errorCode(e))
        }
    }

    @Test
    fun forbidden() {
        val suspended = Actor(newId(), UserRole.USER, UserStatus.SUSPENDED)
        val e = assertThrows<ElsonException.Forbidden> { authorize(suspended, Action.READ, Resource.Portfolio(suspended.id), emptyList()) }
        assertTrue(e.reason.contains("SUSPENDED"), e.reason)
        assertEquals("FORBIDDEN", errorCode(e))
    }

    @Test
    fun invalidTransition() {
        val t = tradeCancel(tradeNew(newTradeMarket(newId(), portfolioId, "AAPL", TradeSide.BUY, BigDecimal("1")), now))
        val e = assertThrows<ElsonException.InvalidTransition> { tradeCancel(t) }
        assertEquals("trade", e.entity)
        assertEquals("CANCELLED", e.from)
        assertEquals("INVALID_TRANSITION", errorCode(e))
    }

    @Test
    fun notFound() {
        emptyBook().use { b ->
            val e = assertThrows<ElsonException.NotFound> { b.markToMarket("MSFT", BigDecimal("1.00"), now) }
            assertEquals("position", e.entity)
            assertEquals("MSFT", e.id)
            assertEquals("NOT_FOUND", errorCode(e))
        }
    }

    @Test
    fun conflict() {
        fun row(from: String, to: String?) = ModelParameter(
            id = newId(), volatilityLevel = VolatilityLevel.LOW, parameterType = "position_sizing", parameterName = "CLOSED",
            parameterValue = BigDecimal("0.5"), effectiveFrom = Instant.parse(from), effectiveTo = to?.let(Instant::parse),
            createdBy = "test", createdAt = now, updatedAt = now, description = null,
        )
        val e = assertThrows<ElsonException.Conflict> {
            ParameterSet.withOverrides(listOf(row("2026-01-01T00:00:00Z", null), row("2026-06-01T00:00:00Z", null)))
        }
        assertTrue(e.reason.isNotBlank())
        assertEquals("CONFLICT", errorCode(e))
    }

    @Test
    fun positionLimitExceeded() {
        ParameterSet.builtin().use { params ->
            val ctx = SizingContext(params, BigDecimal("10000.00"), RiskProfile.LOW, CircuitBreakerState.CLOSED, VolatilityLevel.LOW, now)
            val e = assertThrows<ElsonException.PositionLimitExceeded> { checkBuy(BigDecimal("2"), BigDecimal("300.00"), ctx, SizingMode.REJECT) }
            assertEquals(BigDecimal("600.00"), e.requested)
            assertEquals(BigDecimal("500.00"), e.limit)
            assertEquals("POSITION_LIMIT_EXCEEDED", errorCode(e))
            val resized = checkBuy(BigDecimal("2"), BigDecimal("300.00"), ctx, SizingMode.RESIZE) as SizingDecision.Resized
            assertEquals(BigDecimal("1.666666"), resized.quantity)
        }
    }

    @Test
    fun confidenceTooLow() {
        ParameterSet.builtin().use { params ->
            val e = assertThrows<ElsonException.ConfidenceTooLow> { checkConfidence(BigDecimal("0.50"), VolatilityLevel.EXTREME, params, now) }
            assertEquals(BigDecimal("0.50"), e.score)
            assertEquals(0, BigDecimal("0.75").compareTo(e.threshold))
            assertEquals("CONFIDENCE_TOO_LOW", errorCode(e))
            checkConfidence(null, VolatilityLevel.EXTREME, params, now) // a person's own order skips the gate
        }
    }

    @Test
    fun tradingHalted() {
        val order = OrderIntent(TradeSide.BUY, false, BigDecimal("10.00"), true)
        val e = assertThrows<ElsonException.TradingHalted> { admit(CircuitBreakerState.OPEN, order) }
        assertEquals("OPEN", e.state)
        assertTrue(e.reason.isNotBlank())
        assertEquals("TRADING_HALTED", errorCode(e))
    }

    @Test
    fun exceptionsAreOneSealedTree() {
        // Catch-all by the base class, and Kotlin's message carries the fields.
        val e: ElsonException = assertThrows<ElsonException> { tradeSideFromStr("sell") }
        assertTrue(e is ElsonException.InvalidInput)
        assertTrue(e.message!!.contains("TradeSide"), e.message)
    }
}
