package org.elson.sdk

import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Volatility and regimes over a series: batch and streaming agree, and the regime follows the market. */
class VolatilityTest {
    private val t0 = Instant.parse("2026-01-02T21:00:00Z")

    /** 60 calm days (±0.2 %), then 60 wild ones (±4 %). */
    private val closes: List<Double> = buildList {
        var p = 100.0
        for (i in 0 until 120) {
            val step = if (i < 60) 0.002 else 0.04
            p *= if (i % 2 == 0) 1 + step else 1 - step
            add(p)
        }
    }

    private fun close(a: Double, b: Double) = Math.abs(a - b) <= 1e-9 * Math.abs(b)

    @Test
    fun `regime classification over a series`() {
        val cfg = volatilityConfigDefault()
        val series = detectRegimesCloses(closes, cfg, regimeConfigDefault())
        assertEquals(closes.size, series.level.size)
        // Nothing before the first full window (20 returns need 21 closes).
        assertTrue(series.volatility.take(20).all { it.isNaN() })
        assertNull(series.level[19])
        assertEquals(VolatilityLevel.LOW, series.level[59])
        assertEquals(VolatilityLevel.EXTREME, series.level.last())
        // The switch away from LOW needs 3 identical readings in a row (hysteresis).
        val firstChange = series.level.indexOfFirst { it != null && it != VolatilityLevel.LOW }
        assertTrue(series.stabilizationCount[firstChange] >= 3u, "count ${series.stabilizationCount[firstChange]}")
        assertTrue(series.confidence.drop(20).all { it in 0.5..1.0 })
    }

    @Test
    fun `streaming objects agree with batch`() {
        val cfg = volatilityConfigDefault()
        val batch = estimateVolatilityCloses(closes, cfg)
        val series = detectRegimesCloses(closes, cfg, regimeConfigDefault())
        VolatilityEstimator(cfg).use { est ->
            RegimeDetector(cfg, regimeConfigDefault()).use { det ->
                closes.forEachIndexed { i, c ->
                    val v = est.updateClose(c)
                    val r = det.updateClose(c, t0.plus(Duration.ofDays(i.toLong())))
                    if (batch[i].isNaN()) {
                        assertNull(v)
                        assertNull(r)
                    } else {
                        assertTrue(close(v!!, batch[i]), "index $i: $v vs ${batch[i]}")
                        assertEquals(series.level[i], r!!.level, "index $i")
                        assertEquals(series.stabilizationCount[i], r.stabilizationCount, "index $i")
                    }
                }
                assertEquals(closes.size.toULong(), est.barsSeen())
                assertEquals(VolatilityLevel.EXTREME, det.current()!!.level)
                // Time must move forward; a refused bar leaves the detector as it was.
                val e = assertThrows<ElsonException.InvalidInput> { det.updateClose(100.0, t0) }
                assertTrue(e.field.isNotBlank())
            }
        }
    }

    @Test
    fun `every method over bars, and bad prices name their index`() {
        val bars = closes.mapIndexed { i, c -> Bar(open = if (i == 0) c else closes[i - 1], high = c * 1.01, low = c * 0.99, close = c) }
        .map { b -> b.copy(high = maxOf(b.high, b.open), low = minOf(b.low, b.open)) }
        for (m in volatilityMethodAll()) {
            val cfg = volatilityConfigDefault().copy(method = m)
            val points = estimateVolatilityPoints(bars, cfg)
            assertTrue(points.isNotEmpty(), "$m")
            assertTrue(points.all { it.value > 0.0 && it.value.isFinite() }, "$m")
        }
        val bad = closes.toMutableList().also { it[7] = Double.NaN }
        val e = assertThrows<ElsonException.InvalidInput> { estimateVolatilityCloses(bad, volatilityConfigDefault()) }
        assertEquals("close[7]", e.field)
        assertEquals(VolatilityLevel.NORMAL, classifyVolatility(0.15))
        assertEquals(VolatilityLevel.LOW, classifyVolatility(0.1499))
    }

    @Test
    fun `a reading becomes a stored row`() {
        val reading = RegimeReading(t0, 0.183456, VolatilityLevel.NORMAL, VolatilityLevel.NORMAL, 0.6666, 4u, 20u, VolatilityMethod.CLOSE_TO_CLOSE)
        val row = regimeReadingToRow(reading, "AAPL", newId())
        assertEquals(java.math.BigDecimal("0.1835"), row.volatilityValue)
        assertEquals(java.math.BigDecimal("0.67"), row.confidenceScore)
        checkRegimeRows(listOf(row))
        // The regime feeds the breaker.
        assertEquals(CircuitBreakerState.CAUTIOUS, stateForRegime(row.volatilityLevel))
    }
}
