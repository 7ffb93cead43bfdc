package org.elson.sdk

import java.io.File
import java.math.BigDecimal
import java.time.Instant
import java.time.LocalDate
import java.util.UUID
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long

/** Reading the shared vectors (`testdata/vectors/<area>.json`) and building SDK values from them. */
object Vectors {
    val dir: File = File(System.getProperty("elson.vectors.dir") ?: "../../../testdata/vectors")

    /** Every vector file present, by area name. */
    fun areas(): List<String> =
        (dir.listFiles { f -> f.name.endsWith(".json") } ?: emptyArray()).map { it.name.removeSuffix(".json") }.sorted()

    fun load(area: String): JsonObject = Json.parseToJsonElement(File(dir, "$area.json").readText()).jsonObject

    fun cases(area: String): List<JsonObject> {
        val doc = load(area)
        check(doc.s("area") == area) { "$area.json declares area ${doc.s("area")}" }
        return doc.getValue("cases").jsonArray.map { it.jsonObject }
    }
}

val T0: Instant = Instant.parse("2026-01-01T00:00:00Z")

fun JsonObject.s(key: String): String =
    (this[key] as? JsonPrimitive)?.takeIf { it.isString }?.content ?: error("$key must be a string in $this")
fun JsonObject.optS(key: String): String? = (this[key] as? JsonPrimitive)?.contentOrNull
fun JsonObject.dec(key: String): BigDecimal = BigDecimal(s(key))
fun JsonObject.optDec(key: String): BigDecimal? = optS(key)?.let(::BigDecimal)
fun JsonObject.bool(key: String): Boolean = getValue(key).jsonPrimitive.boolean
fun JsonObject.long(key: String): Long = getValue(key).jsonPrimitive.long
fun JsonObject.time(key: String): Instant = Instant.parse(s(key))
fun JsonObject.optTime(key: String): Instant? = optS(key)?.let(Instant::parse)
fun JsonObject.obj(key: String): JsonObject = getValue(key).jsonObject
fun JsonObject.arr(key: String): JsonArray = getValue(key).jsonArray
fun JsonObject.has(key: String): Boolean = this[key] != null && this[key] !is JsonNull

fun jsonOf(vararg pairs: Pair<String, Any?>): JsonObject = JsonObject(pairs.associate { (k, v) -> k to toJson(v) })
fun toJson(v: Any?): JsonElement = when (v) {
    null -> JsonNull
    is JsonElement -> v
    is String -> JsonPrimitive(v)
    is Boolean -> JsonPrimitive(v)
    // Decimals are strings in the vectors (and BigDecimal is a Number: test it first).
    is BigDecimal -> JsonPrimitive(v.toPlainString())
    is Number -> JsonPrimitive(v)
    is UInt -> JsonPrimitive(v.toLong())
    else -> error("no JSON for $v")
}

fun newId(): String = UUID.randomUUID().toString()

fun user(role: UserRole, status: UserStatus = UserStatus.ACTIVE, dateOfBirth: LocalDate? = null, id: String = newId()) = User(
    id = id, email = "v@example.com", passwordHash = "\$2b\$12\$" + "x".repeat(53), role = role, firstName = null, lastName = null,
    dateOfBirth = dateOfBirth, createdAt = T0, updatedAt = T0, lastLogin = null, status = status,
    twoFactorEnabled = false, twoFactorSecret = null, riskProfile = RiskProfile.MODERATE,
    educationProgress = null, preferences = null, betaFeedback = null,
)

fun portfolio(owner: String, guardianApproval: Boolean, cash: BigDecimal = BigDecimal.ZERO, id: String = newId()) = Portfolio(
    id = id, userId = owner, name = "Vectors", description = null, createdAt = T0, updatedAt = T0,
    cashBalance = cash, totalValue = cash, riskScore = null, diversificationScore = null,
    portfolioType = PortfolioType.STANDARD, guardianApproval = guardianApproval, volatilityPreference = null,
    performanceMetrics = null,
)

fun trade(
    portfolioId: String,
    status: TradeStatus = TradeStatus.PENDING,
    guardianApproval: GuardianApproval = GuardianApproval.NOT_REQUIRED,
    symbol: String = "VTI",
    side: TradeSide = TradeSide.BUY,
    quantity: BigDecimal = BigDecimal.ONE,
    orderType: OrderType = OrderType.MARKET,
    price: BigDecimal? = null,
): Trade {
    // An EXECUTED trade carries its fill (price, zero fees, total = notional,
    // executed_at): the core refuses an executed row without one.
    val executed = status == TradeStatus.EXECUTED
    val fillPrice = price ?: if (executed) BigDecimal("10.00") else null
    val total = if (executed) quantity.multiply(fillPrice).setScale(2, java.math.RoundingMode.HALF_EVEN) else null
    return Trade(
        id = newId(), portfolioId = portfolioId, symbol = symbol, orderType = orderType, side = side,
        quantity = quantity, price = fillPrice, status = status, createdAt = T0,
        executedAt = if (executed) T0 else null, totalAmount = total,
        fees = if (executed) BigDecimal("0.00") else null, notes = null, circuitBreakerState = null,
        volatilityLevel = null, guardianApproval = guardianApproval, confidenceScore = null, positionSizing = null,
    )
}

fun relationship(
    guardianId: String,
    minorId: String,
    status: RelationshipStatus,
    permissions: Permissions = permissionsDefault(),
    settings: ApprovalSettings = approvalSettingsDefault(),
) = Relationship(
    id = newId(), guardianId = guardianId, minorId = minorId, relationshipType = RelationshipType.PARENT,
    createdAt = T0, updatedAt = T0, status = status, approvalSettings = settings, permissions = permissions,
)

/** Runs one case: the op's output in the vector's `expected` shape, or the error code it threw. */
sealed interface Outcome {
    data class Value(val json: JsonObject) : Outcome
    data class Error(val code: String, val message: String) : Outcome
    /** The runner asserted the case itself. */
    data object Checked : Outcome
}

inline fun outcome(block: () -> JsonObject): Outcome = try {
    Outcome.Value(block())
} catch (e: ElsonException) {
    Outcome.Error(errorCode(e), e.toString())
}

/** Decimal strings compare by value ("0.90" = "0.9"); everything else exactly. */
fun sameByValue(got: JsonElement, want: JsonElement): Boolean = when {
    got is JsonPrimitive && want is JsonPrimitive && got.isString && want.isString -> {
        val g = got.content.toBigDecimalOrNull()
        val w = want.content.toBigDecimalOrNull()
        if (g != null && w != null) g.compareTo(w) == 0 else got.content == want.content
    }
    got is JsonObject && want is JsonObject -> got.size == want.size && want.all { (k, w) -> got[k]?.let { sameByValue(it, w) } ?: false }
    got is JsonArray && want is JsonArray -> got.size == want.size && got.indices.all { sameByValue(got[it], want[it]) }
    else -> got == want
}

/** Asserts a case's outcome: its `expected` output, or its `error` code. */
fun checkCase(case: JsonObject, got: Outcome, byValue: Boolean = false) {
    val name = case.s("name")
    val error = case.optS("error")
    when {
        error != null -> {
            check(got is Outcome.Error) { "$name: expected error $error, got $got" }
            check(got.code == error) { "$name: expected error $error, got ${got.code}: ${got.message}" }
        }
        else -> {
            val want = case.obj("expected")
            check(got is Outcome.Value) { "$name: unexpected error $got" }
            val same = if (byValue) sameByValue(got.json, want) else got.json == want
            check(same) { "$name: got ${got.json}, expected $want" }
        }
    }
}
