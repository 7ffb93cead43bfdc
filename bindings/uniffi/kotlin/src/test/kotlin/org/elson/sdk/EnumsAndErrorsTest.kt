package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Enum helpers, limits, and typed exceptions with their fields. */
class EnumsAndErrorsTest {
    @Test
    fun `enum text is the seed name and parsing is strict`() {
        assertEquals("BETA_TESTER", userStatusToStr(UserStatus.BETA_TESTER))
        assertEquals(AssetType.MUTUAL_FUND, assetTypeFromStr("MUTUAL_FUND"))
        assertEquals(
            listOf(CircuitBreakerState.CLOSED, CircuitBreakerState.CAUTIOUS, CircuitBreakerState.RESTRICTED, CircuitBreakerState.OPEN),
            circuitBreakerStateAll(),
        )
        // Kotlin's ordinal order is the core's severity order.
        assertTrue(CircuitBreakerState.OPEN > CircuitBreakerState.RESTRICTED)
        // Kotlin entry names are the seed names for every value.
        for (s in volatilityMethodAll()) assertEquals(s.name, volatilityMethodToStr(s))
        for (s in guardianApprovalAll()) assertEquals(s.name, guardianApprovalToStr(s))
        val e = assertThrows<ElsonException.InvalidInput> { tradeSideFromStr("buy") }
        assertEquals("TradeSide", e.field)
        assertTrue(e.reason.contains("BUY, SELL"), e.reason)
        assertEquals("INVALID_INPUT", errorCode(e))
    }

    @Test
    fun `malformed JSON throws InvalidInput naming the path`() {
        val bad = assertThrows<ElsonException.InvalidInput> {
            portfolioFromJson("""{"id":"67e55044-10b1-426f-9247-bb680e5fe0c8","user_id":"nope"}""")
        }
        assertEquals("portfolio.user_id", bad.field)
        val syntax = assertThrows<ElsonException.InvalidInput> { tradeFromJson("{not json") }
        assertEquals("trade", syntax.field)
        val missing = assertThrows<ElsonException.InvalidInput> { tradeFromJson("{}") }
        assertTrue(missing.reason.contains("missing field"), missing.reason)
    }

    @Test
    fun `values that cannot cross are typed errors, not crashes`() {
        val badId = assertThrows<ElsonException.InvalidInput> {
            featureFlagToJson(
                FeatureFlag(
                    id = "not-a-uuid", flagName = "f", description = null, enabled = true,
                    environment = Environment.DEV, userPercentage = 10, userWhitelist = emptyList(),
                    createdAt = Instant.EPOCH, updatedAt = Instant.EPOCH, createdBy = "me", expiresAt = null,
                ),
            )
        }
        assertEquals("Uuid", badId.field)
        // 29 decimal places do not fit rust_decimal: refused, not rounded.
        val tooPrecise = assertThrows<ElsonException.InvalidInput> { roundMoney(BigDecimal("0.00000000000000000000000000001")) }
        assertEquals("Decimal", tooPrecise.field)
    }

    @Test
    fun `limits check like the core`() {
        assertEquals(BigDecimal("12.35"), checkDecimal(DecimalKind.MONEY, "cash_balance", BigDecimal("12.35")))
        val e = assertThrows<ElsonException.InvalidInput> { checkDecimal(DecimalKind.MONEY, "cash_balance", BigDecimal("-1")) }
        assertEquals("cash_balance", e.field)
        assertThrows<ElsonException.InvalidInput> { checkDecimal(DecimalKind.QUANTITY, "quantity", BigDecimal("1.0000001")) }
        assertEquals(BigDecimal("2.34"), roundDecimal(DecimalKind.MONEY, "price", BigDecimal("2.345")))
        assertEquals(BigDecimal("2.36"), roundMoney(BigDecimal("2.355")))
        checkText(TextKind.SYMBOL, "symbol", "AAPL", false)
        val long = assertThrows<ElsonException.InvalidInput> { checkText(TextKind.SYMBOL, "symbol", "X".repeat(21), false) }
        assertEquals("symbol", long.field)
        checkText(TextKind.NAME, "description", "", true)
        assertThrows<ElsonException.InvalidInput> { checkText(TextKind.NAME, "name", "", false) }
        assertEquals(100, checkScore("risk_score", 100))
        assertThrows<ElsonException.InvalidInput> { checkScore("risk_score", 101) }
    }

    @Test
    fun `error codes match the core's`() {
        assertEquals("INSUFFICIENT_FUNDS", errorCode(ElsonException.InsufficientFunds(BigDecimal("10.00"), BigDecimal("5.00"))))
        assertEquals("TRADING_HALTED", errorCode(ElsonException.TradingHalted("OPEN", "halted")))
        assertEquals("SOMETHING_NEW", errorCode(ElsonException.Other("SOMETHING_NEW", "m")))
        assertTrue(sdkVersion().isNotEmpty())
    }
}
