package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The backtester through the bindings: the live components over history. */
class BacktestTest {
    private val t0 = Instant.parse("2024-01-01T21:00:00Z")
    private val n = 300
    private val times = (0 until n).map { t0.plus(Duration.ofDays(it.toLong())) }
    private val bars = syntheticBars(n.toUInt(), 42uL, 100.0)

    @Test
    fun `a reference strategy runs deterministically`() {
        val config = backtestConfigNew("DEMO")
        assertEquals(BigDecimal("100000.00"), config.initialCash)
        val a = runBacktest(times, bars, BuiltinStrategy.MovingAverageCrossover(5u, 20u), config)
        val b = runBacktest(times, bars, BuiltinStrategy.MovingAverageCrossover(5u, 20u), config)
        assertEquals(a, b) // a pure function of its inputs
        assertEquals(n, a.equity.size)
        assertEquals(n, a.regime.size)
        assertEquals(a.trades.size, a.row.totalTrades)
        assertTrue(a.trades.all { it.status == TradeStatus.EXECUTED && it.symbol == "DEMO" })
        assertEquals("DEMO", a.row.symbol)
        assertEquals(times.last(), a.row.createdAt)
        assertTrue(a.breakdown.isNotEmpty())
        assertTrue(a.metrics.maxDrawdown >= 0.0)
        // P/L of the row is final equity − initial cash, to the cent.
        val pnl = BigDecimal(a.equity.last()).subtract(config.initialCash).setScale(2, java.math.RoundingMode.HALF_EVEN)
        assertTrue((pnl - a.row.profitLoss).abs() <= BigDecimal("0.01"), "$pnl vs ${a.row.profitLoss}")
    }

    @Test
    fun `signals run, and bad inputs name the problem`() {
        val weights = List(n) { if (it < 150) 1.0 else 0.0 }
        val r = runBacktestSignals(times, bars, weights, null, backtestConfigNew("SIG"))
        assertTrue(r.trades.size >= 2, "${r.trades.size}")
        assertEquals(TradeSide.BUY, r.trades.first().side)
        runBacktest(times, bars, BuiltinStrategy.RegimeMomentum(20u), backtestConfigNew("MOM"))
        assertThrows<ElsonException.InvalidInput> { runBacktestSignals(times.drop(1), bars, weights, null, backtestConfigNew("SIG")) }
        assertThrows<ElsonException.InvalidInput> { runBacktestSignals(times, bars, List(n) { 2.0 }, null, backtestConfigNew("SIG")) }
        assertThrows<ElsonException.InvalidInput> {
            runBacktest(times, bars, BuiltinStrategy.MovingAverageCrossover(5u, 20u), backtestConfigNew("SIG").copy(initialCash = BigDecimal.ZERO))
        }
    }
}
