package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The breaker as an app holds it: one object fed events, persisted as JSON. */
class BreakerTest {
    private val t0 = Instant.parse("2026-03-02T14:00:00Z")
    private fun at(minutes: Long) = t0.plus(Duration.ofMinutes(minutes))

    @Test
    fun `escalates at once and recovers one state per cool-down`() {
        CircuitBreaker(Scope.Symbol("AAPL"), breakerConfigDefault()).use { b ->
            val up = b.step(BreakerEvent.Regime(VolatilityLevel.EXTREME), at(0))
            assertEquals(listOf(CircuitBreakerState.CLOSED to CircuitBreakerState.OPEN), up.map { it.from to it.to })
            assertEquals(TransitionReason.REGIME, up.single().reason)
            assertEquals(CircuitBreakerState.OPEN, b.state())
            // The regime calms at once, but OPEN holds for its 90-minute cool-down…
            assertEquals(emptyList<Transition>(), b.step(BreakerEvent.Regime(VolatilityLevel.LOW), at(5)))
            assertEquals(CircuitBreakerState.OPEN, b.state())
            // …and a late tick yields every step at the time it came due.
            val down = b.step(BreakerEvent.Tick, at(180))
            assertEquals(
                listOf(CircuitBreakerState.RESTRICTED, CircuitBreakerState.CAUTIOUS, CircuitBreakerState.CLOSED),
                down.map { it.to },
            )
            assertEquals(listOf(at(90), at(135), at(155)), down.map { it.at })
            down.forEach { assertEquals(TransitionReason.RECOVERY, it.reason) }
        }
    }

    @Test
    fun `state persists through JSON`() {
        val saved = CircuitBreaker(Scope.Global, breakerConfigDefault()).use { b ->
            b.step(BreakerEvent.ManualTrip(UserRole.ADMIN, CircuitBreakerState.RESTRICTED), at(0))
            b.toJson()
        }
        CircuitBreaker.fromJson(saved).use { b ->
            assertEquals(CircuitBreakerState.RESTRICTED, b.state())
            assertEquals(Scope.Global, b.scope())
            assertEquals(at(0), b.enteredAt())
        }
        val bad = assertThrows<ElsonException.InvalidInput> { CircuitBreaker.fromJson("{}") }
        assertEquals("breaker", bad.field.substringBefore('.'))
    }

    @Test
    fun `only an ADMIN trips by hand, and time never goes back`() {
        CircuitBreaker(Scope.Global, breakerConfigDefault()).use { b ->
            val e = assertThrows<ElsonException.Forbidden> { b.step(BreakerEvent.ManualTrip(UserRole.GUARDIAN, CircuitBreakerState.OPEN), at(0)) }
            assertEquals("FORBIDDEN", errorCode(e))
            b.step(BreakerEvent.Tick, at(10))
            assertThrows<ElsonException.InvalidInput> { b.step(BreakerEvent.Tick, at(5)) }
        }
    }

    @Test
    fun `the most severe scope governs and admission follows it`() {
        val portfolio = "67e55044-10b1-426f-9247-bb680e5fe0c8"
        CircuitBreakers(breakerConfigDefault()).use { all ->
            all.step(Scope.Symbol("TSLA"), BreakerEvent.Regime(VolatilityLevel.HIGH), at(0))
            // A 3 % loss since the day's open trips the portfolio OPEN.
            all.step(Scope.Portfolio(portfolio), BreakerEvent.PortfolioValue(BigDecimal("1000.00"), BigDecimal("970.00")), at(1))
            val gov = all.governing("TSLA", portfolio)
            assertEquals(CircuitBreakerState.OPEN, gov.state)
            assertEquals(Scope.Portfolio(portfolio), gov.scope)
            val buy = OrderIntent(TradeSide.BUY, isCancel = false, notional = BigDecimal("100.00"), withinSizingLimit = true)
            val halted = assertThrows<ElsonException.TradingHalted> { all.admit("TSLA", portfolio, buy) }
            assertEquals("OPEN", halted.state)
            all.admit("TSLA", portfolio, buy.copy(isCancel = true)) // cancelling is always allowed
            // Elsewhere RESTRICTED allows sells; CAUTIOUS buys within the sizing limit.
            admit(CircuitBreakerState.RESTRICTED, buy.copy(side = TradeSide.SELL))
            assertThrows<ElsonException.TradingHalted> { admit(CircuitBreakerState.CAUTIOUS, buy.copy(withinSizingLimit = false)) }
            assertEquals(CircuitBreakerState.RESTRICTED, stateForRegime(VolatilityLevel.HIGH))
            assertEquals(2, all.states().size)
            assertEquals(Scope.Symbol("AAPL"), scopeFromStr("SYMBOL:AAPL"))
            assertEquals("PORTFOLIO:$portfolio", scopeToStr(Scope.Portfolio(portfolio)))
        }
    }
}
