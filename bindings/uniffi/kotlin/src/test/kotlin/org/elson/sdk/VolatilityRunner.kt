package org.elson.sdk

import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.double
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long

private fun doubles(a: JsonArray): List<Double> = a.map { it.jsonPrimitive.double }

private fun volConfig(i: JsonObject) = VolatilityConfig(
    method = volatilityMethodFromStr(i.s("method")), lookback = i.long("lookback").toUInt(),
    periodsPerYear = i.long("periods_per_year").toUInt(), ewmaLambda = i.getValue("ewma_lambda").jsonPrimitive.double,
)

/** NaN becomes null, as in the vectors. */
private fun nullable(values: List<Double>): JsonArray = JsonArray(values.map { if (it.isNaN()) JsonNull else JsonPrimitive(it) })

/** Floats at 1e-10 relative (12 significant digits in the vectors), everything else exactly. */
private fun same(got: JsonElement, want: JsonElement): Boolean = when {
    got is JsonPrimitive && want is JsonPrimitive && !got.isString && !want.isString &&
        got.doubleOrNull != null && want.doubleOrNull != null -> {
        val a = got.double
        val b = want.double
        Math.abs(a - b) <= 1e-10 * Math.max(Math.abs(b), 1e-300)
    }
    got is JsonArray && want is JsonArray -> got.size == want.size && got.indices.all { same(got[it], want[it]) }
    got is JsonObject && want is JsonObject -> got.size == want.size && want.all { (k, w) -> got[k]?.let { same(it, w) } ?: false }
    else -> got == want
}

private fun runOp(op: String, i: JsonObject): JsonObject = when (op) {
    "estimate" -> {
        val cfg = volConfig(i)
        val close = doubles(i.arr("close"))
        val values = if (i.containsKey("open")) {
            val o = doubles(i.arr("open")); val h = doubles(i.arr("high")); val l = doubles(i.arr("low"))
            estimateVolatility(close.indices.map { Bar(o[it], h[it], l[it], close[it]) }, cfg)
        } else {
            estimateVolatilityCloses(close, cfg)
        }
        jsonOf("values" to nullable(values))
    }
    "classify" -> jsonOf("level" to volatilityLevelToStr(regimeClassify(regimeConfigDefault(), i.getValue("value").jsonPrimitive.double)))
    "confidence" -> jsonOf(
        "confidence" to regimeConfidence(regimeConfigDefault(), i.getValue("value").jsonPrimitive.double, i.long("observations").toULong(), i.long("lookback").toULong()),
    )
    "stabilize" -> Stabilizer(i.long("switch_readings").toUInt()).use { s ->
        val out = i.arr("readings").map { s.push(volatilityLevelFromStr(it.jsonPrimitive.content)) }
        jsonOf("levels" to JsonArray(out.map { JsonPrimitive(volatilityLevelToStr(it.level)) }), "counts" to JsonArray(out.map { JsonPrimitive(it.stabilizationCount.toLong()) }))
    }
    "regime_series" -> {
        val s = detectRegimesCloses(doubles(i.arr("close")), volConfig(i), regimeConfigDefault())
        jsonOf(
            "volatility" to nullable(s.volatility),
            "levels" to JsonArray(s.level.map { l -> l?.let { JsonPrimitive(volatilityLevelToStr(it)) } ?: JsonNull }),
            "counts" to JsonArray(s.stabilizationCount.map { JsonPrimitive(it.toLong()) }),
            "confidence" to nullable(s.confidence),
        )
    }
    "check_regime_rows" -> {
        val rows = i.arr("rows").map { it.jsonObject }.map { r ->
            VolatilityRegime(
                id = "00000000-0000-0000-0000-000000000000", symbol = r.s("symbol"), timestamp = rfc3339(r.s("timestamp")),
                volatilityValue = java.math.BigDecimal("0.2000"), volatilityLevel = volatilityLevelFromStr(r.s("volatility_level")),
                lookbackPeriod = 20, calculationMethod = VolatilityMethod.CLOSE_TO_CLOSE, circuitBreakerState = null,
                confidenceScore = java.math.BigDecimal("0.80"), stabilizationCount = r.long("stabilization_count").toInt(),
            )
        }
        checkRegimeRows(rows)
        jsonOf("ok" to true)
    }
    "to_row" -> {
        val level = volatilityLevelFromStr(i.s("level"))
        val reading = RegimeReading(
            time = rfc3339(i.s("timestamp")), volatility = i.getValue("volatility").jsonPrimitive.double, reading = level, level = level,
            confidence = i.getValue("confidence").jsonPrimitive.double, stabilizationCount = i.long("stabilization_count").toUInt(),
            lookback = i.long("lookback").toUInt(), method = volatilityMethodFromStr(i.s("method")),
        )
        val row = regimeReadingToRow(reading, i.s("symbol"), "00000000-0000-0000-0000-000000000000")
        jsonOf(
            "volatility_value" to row.volatilityValue.toPlainString(), "confidence_score" to row.confidenceScore.toPlainString(),
            "volatility_level" to volatilityLevelToStr(row.volatilityLevel), "stabilization_count" to row.stabilizationCount,
            "lookback_period" to row.lookbackPeriod, "calculation_method" to volatilityMethodToStr(row.calculationMethod),
            "circuit_breaker_state" to row.circuitBreakerState?.let(::circuitBreakerStateToStr),
        )
    }
    else -> error("unknown op $op")
}

fun runVolatility(case: JsonObject) {
    val name = case.s("name")
    val result = runCatching { runOp(case.s("op"), case.obj("input")) }
    val error = case.optS("error")
    if (error != null) {
        val e = result.exceptionOrNull()
        check(e is ElsonException && errorCode(e) == error) { "$name: expected $error, got ${result.getOrNull() ?: e}" }
        case.optS("error_field")?.let { field ->
            check(e is ElsonException.InvalidInput && e.field == field) { "$name: expected field $field, got $e" }
        }
        return
    }
    val got = result.getOrElse { throw AssertionError("$name: unexpected error $it", it) }
    check(same(got, case.obj("expected"))) { "$name: got $got, want ${case.obj("expected")}" }
}
