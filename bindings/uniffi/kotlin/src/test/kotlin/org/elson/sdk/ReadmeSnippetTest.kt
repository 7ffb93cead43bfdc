package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** The Kotlin snippet of bindings/uniffi/README.md, kept runnable here. */
class ReadmeSnippetTest {
    @Test
    fun readmeSnippetRuns() {
        val out = StringBuilder()
        fun println(x: Any?) { out.appendLine(x.toString()) }
        // ---- README snippet begins ----
        val now = Instant.parse("2026-11-25T15:00:00Z")

        // Money and quantities are BigDecimal (a decimal string on the wire), never Double.
        val amount = estimateAmount(OrderType.LIMIT, BigDecimal("3"), BigDecimal("187.35"), null)
        println(amount) // 562.05

        // Position sizing with the built-in parameters (DESIGN §7).
        ParameterSet.builtin().use { params ->
            val limit = maxBuyNotional(
                BigDecimal("10000.00"), RiskProfile.MODERATE,
                CircuitBreakerState.CLOSED, VolatilityLevel.NORMAL, params, now,
            )
            println(limit) // 900.00
        }

        // A circuit breaker is an object you keep and feed events; time is an argument.
        CircuitBreaker(Scope.Symbol("AAPL"), breakerConfigDefault()).use { breaker ->
            breaker.step(BreakerEvent.Regime(VolatilityLevel.EXTREME), now)
            println(breaker.state()) // OPEN
        }

        // Errors are exceptions with typed fields.
        try {
            tradeFromJson("""{"id": "not-a-uuid"}""")
        } catch (e: ElsonException.InvalidInput) {
            println(e.field) // trade.id
        }
        // ---- README snippet ends ----
        assertEquals(listOf("562.05", "900.00", "OPEN", "trade.id"), out.lines().filter { it.isNotEmpty() })
    }
}
