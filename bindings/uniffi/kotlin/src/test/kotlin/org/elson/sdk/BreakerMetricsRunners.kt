package org.elson.sdk

import java.time.Instant
import java.time.OffsetDateTime
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.double
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/** RFC 3339 with any offset, as the Rust runners parse it. */
fun rfc3339(text: String): Instant = OffsetDateTime.parse(text).toInstant()

// ---- breaker ------------------------------------------------------------

private fun breakerEvent(e: JsonObject): BreakerEvent = when (val type = e.s("type")) {
    "REGIME" -> BreakerEvent.Regime(volatilityLevelFromStr(e.s("level")))
    "PORTFOLIO_VALUE" -> BreakerEvent.PortfolioValue(e.dec("day_open_value"), e.dec("current_value"))
    "EXECUTION_FAILURE" -> BreakerEvent.ExecutionFailure
    "EXECUTION_SUCCESS" -> BreakerEvent.ExecutionSuccess
    "MANUAL_TRIP" -> BreakerEvent.ManualTrip(userRoleFromStr(e.s("actor_role")), circuitBreakerStateFromStr(e.s("level")))
    "MANUAL_RESET" -> BreakerEvent.ManualReset(userRoleFromStr(e.s("actor_role")))
    "TICK" -> BreakerEvent.Tick
    else -> error("unknown breaker event $type")
}

/** Feeds one `{"at", "scope"?, "type", ...}` entry; without a scope it ticks the whole registry. */
private fun feed(breakers: CircuitBreakers, e: JsonObject): List<Transition> {
    val at = rfc3339(e.s("at"))
    val event = breakerEvent(e)
    val scope = e.optS("scope")
    return if (scope != null) {
        breakers.step(scopeFromStr(scope), event, at)
    } else {
        check(event == BreakerEvent.Tick) { "only a TICK may omit the scope" }
        breakers.tick(at)
    }
}

private fun breakerConfig(c: JsonObject?): BreakerConfig {
    if (c == null) return breakerConfigDefault()
    val d = breakerConfigDefault()
    return BreakerConfig(
        cooldownOpenMinutes = c["cooldown_open_minutes"]?.let { it.jsonPrimitive.content.toUInt() } ?: d.cooldownOpenMinutes,
        cooldownRestrictedMinutes = c["cooldown_restricted_minutes"]?.let { it.jsonPrimitive.content.toUInt() } ?: d.cooldownRestrictedMinutes,
        cooldownCautiousMinutes = c["cooldown_cautious_minutes"]?.let { it.jsonPrimitive.content.toUInt() } ?: d.cooldownCautiousMinutes,
        lossTripFraction = c["loss_trip_fraction"]?.let { java.math.BigDecimal(it.jsonPrimitive.content) } ?: d.lossTripFraction,
        failureTripCount = c["failure_trip_count"]?.let { it.jsonPrimitive.content.toUInt() } ?: d.failureTripCount,
    )
}

private fun states(b: CircuitBreakers): Map<String, String> =
    b.states().associate { scopeToStr(it.scope) to circuitBreakerStateToStr(it.state) }

fun runBreaker(case: JsonObject) {
    val name = case.s("name")
    val i = case.obj("input")
    when (val op = case.s("op")) {
        "breakers" -> CircuitBreakers(breakerConfig(i["config"]?.jsonObject)).use { breakers ->
            val events = i.arr("events").map { it.jsonObject }
            val got = mutableListOf<Transition>()
            events.dropLast(1).forEach { got += feed(breakers, it) }
            val error = case.optS("error")
            if (error != null) {
                val before = states(breakers)
                val e = runCatching { feed(breakers, events.last()) }.exceptionOrNull()
                check(e is ElsonException) { "$name: expected $error, got $e" }
                check(errorCode(e) == error) { "$name: expected $error, got ${errorCode(e)}: $e" }
                check(states(breakers) == before) { "$name: a refused event changes nothing" }
                return
            }
            got += feed(breakers, events.last())
            val expected = case.obj("expected")
            val want = expected.arr("transitions").map { it.jsonObject }
            check(got.size == want.size) { "$name: ${got.size} transitions, expected ${want.size}: $got" }
            got.zip(want).forEachIndexed { n, (g, w) ->
                val same = scopeToStr(g.scope) == w.s("scope") &&
                    circuitBreakerStateToStr(g.from) == w.s("from") && circuitBreakerStateToStr(g.to) == w.s("to") &&
                    transitionReasonToStr(g.reason) == w.s("reason") && g.at == rfc3339(w.s("at"))
                check(same) { "$name: transition $n is $g, expected $w" }
            }
            val wantStates = expected.obj("states").mapValues { (_, v) -> v.jsonPrimitive.content }
            check(states(breakers) == wantStates) { "$name: states ${states(breakers)}, expected $wantStates" }
            if (i.has("governing")) {
                val gotGov = i.arr("governing").map { it.jsonObject }.map { q ->
                    circuitBreakerStateToStr(breakers.governing(q.s("symbol"), q.s("portfolio")).state)
                }
                val wantGov = expected.arr("governing").map { it.jsonPrimitive.content }
                check(gotGov == wantGov) { "$name: governing $gotGov, expected $wantGov" }
            }
        }
        "admit" -> {
            val order = OrderIntent(tradeSideFromStr(i.s("side")), i.bool("is_cancel"), i.dec("notional"), i.bool("within_sizing_limit"))
            checkCase(case, outcome { admit(circuitBreakerStateFromStr(i.s("state")), order); jsonOf("admitted" to true) })
        }
        else -> error("$name: unknown op $op")
    }
}

// ---- metrics ------------------------------------------------------------

/** A number, or one of the strings "NaN", "inf", "-inf". */
private fun number(v: kotlinx.serialization.json.JsonElement): Double {
    val p = v as JsonPrimitive
    return if (p.isString) {
        when (p.content) {
            "NaN" -> Double.NaN
            "inf" -> Double.POSITIVE_INFINITY
            "-inf" -> Double.NEGATIVE_INFINITY
            else -> error("not a number: $p")
        }
    } else {
        p.double
    }
}

/** Expected values carry 12 significant digits (the Rust runner's tolerance). */
private fun close(actual: Double, expected: Double): Boolean = when {
    expected.isNaN() -> actual.isNaN()
    expected.isInfinite() -> actual == expected
    else -> Math.abs(actual - expected) <= 1e-11 * Math.abs(expected) + 1e-15
}

fun runMetrics(case: JsonObject) {
    val name = case.s("name")
    val i = case.obj("input")
    fun f(key: String) = number(i.getValue(key))
    fun v(key: String) = i.arr(key).map(::number)
    val result = runCatching {
        when (val op = case.s("op")) {
            "sharpe_ratio" -> listOf(sharpeRatio(v("returns"), f("risk_free"), f("periods_per_year")))
            "sortino_ratio" -> listOf(sortinoRatio(v("returns"), f("required_return"), f("periods_per_year")))
            "downside_risk" -> listOf(downsideRisk(v("returns"), f("required_return"), f("periods_per_year")))
            "annual_volatility" -> listOf(annualVolatility(v("returns"), f("periods_per_year")))
            "annual_return" -> listOf(annualReturn(v("returns"), f("periods_per_year")))
            "max_drawdown" -> listOf(maxDrawdown(v("returns")))
            "max_drawdown_from_equity" -> listOf(maxDrawdownFromEquity(v("equity")))
            "returns_from_equity" -> returnsFromEquity(v("equity"))
            "win_rate" -> listOf(winRate(v("pnls")))
            else -> error("$name: unknown op $op")
        }
    }
    val error = case.optS("error")
    if (error != null) {
        val e = result.exceptionOrNull()
        check(e is ElsonException && errorCode(e) == error) { "$name: expected $error, got ${result.getOrNull() ?: e}" }
        return
    }
    val got = result.getOrThrow()
    val expected = case.obj("expected")
    val want = if (expected.containsKey("values")) expected.arr("values").map(::number) else listOf(number(expected.getValue("value")))
    check(got.size == want.size && got.zip(want).all { (g, w) -> close(g, w) }) { "$name: got $got, expected $want" }
}
