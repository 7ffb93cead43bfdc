package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject

private const val PORTFOLIO = "00000000-0000-0000-0000-00000000acc0"
private val EPOCH: Instant = Instant.EPOCH

private fun book(i: JsonObject): Book {
    val portfolio = portfolioNew(newPortfolioStandard("00000000-0000-0000-0000-000000000000", "vectors"), PORTFOLIO, EPOCH)
        .copy(cashBalance = i.dec("cash_balance"), totalValue = i.dec("total_value"))
    val positions = i.arr("positions").map { it.jsonObject }.map { p ->
        Position(
            id = newId(), portfolioId = PORTFOLIO, symbol = p.s("symbol"), quantity = p.dec("quantity"),
            averagePrice = p.dec("average_price"), currentPrice = p.dec("current_price"), currentValue = p.dec("current_value"),
            createdAt = EPOCH, updatedAt = EPOCH, lastPriceUpdate = null, gainLoss = p.dec("gain_loss"),
            gainLossPercent = p.dec("gain_loss_percent"), assetType = assetTypeFromStr(p.s("asset_type")), sector = null,
        )
    }
    return Book.fromRows(portfolio, positions)
}

private fun positionJson(p: Position?): JsonElement = if (p == null) JsonNull else jsonOf(
    "quantity" to p.quantity, "average_price" to p.averagePrice, "current_price" to p.currentPrice,
    "current_value" to p.currentValue, "gain_loss" to p.gainLoss, "gain_loss_percent" to p.gainLossPercent,
)

/**
 * A trade row built directly (like the Rust runner): vectors also cover rows `tradeNew` would refuse.
 * An EXECUTED one carries its fill (at the limit or 10.00, no fees), as the core refuses an executed row without.
 */
private fun pendingTrade(i: JsonObject, status: TradeStatus): Trade {
    val base = tradeNew(newTradeMarket("00000000-0000-0000-0000-000000000001", PORTFOLIO, i.s("symbol"), tradeSideFromStr(i.s("side")), BigDecimal.ONE), EPOCH)
    val quantity = i.dec("quantity")
    val executed = status == TradeStatus.EXECUTED
    val fillPrice = i.optDec("limit_price") ?: BigDecimal("10.00")
    return base.copy(
        orderType = orderTypeFromStr(i.s("order_type")), quantity = quantity,
        price = if (executed) fillPrice else i.optDec("limit_price"),
        status = status, guardianApproval = i.optS("guardian_approval")?.let(::guardianApprovalFromStr) ?: GuardianApproval.NOT_REQUIRED,
        executedAt = if (executed) EPOCH else null,
        fees = if (executed) BigDecimal("0.00") else null,
        totalAmount = if (executed) notional(quantity, fillPrice) else null,
    )
}

private fun schedule(rate: String, minimum: String, maximum: String?) =
    FeeSchedule(BigDecimal(rate), BigDecimal(minimum), maximum?.let(::BigDecimal))

private fun runOp(op: String, i: JsonObject): JsonObject = when (op) {
    "fee" -> jsonOf("fee" to fee(schedule(i.s("rate"), i.s("minimum"), i.optS("maximum")), i.dec("notional")))
    "notional" -> jsonOf("notional" to notional(i.dec("quantity"), i.dec("price")))
    "execute" -> book(i).use { b ->
        val trade = pendingTrade(i, tradeStatusFromStr(i.s("status")))
        val exec = Execution(i.dec("market_price"), AssetType.STOCK, schedule(i.s("fee_rate"), i.s("fee_minimum"), i.optS("fee_maximum")), EPOCH)
        val preview = runCatching { b.preview(trade, exec) }
        val done = runCatching { b.execute(trade, exec) }
        check(preview.getOrNull() == done.getOrNull()?.outcome) { "preview agrees with execute" }
        when (val outcome = done.getOrThrow().outcome) {
            is ExecutionOutcome.StillPending -> {
                check(done.getOrThrow().trade.status == TradeStatus.PENDING)
                jsonOf("outcome" to "PENDING", "cash_balance" to b.portfolio().cashBalance, "total_value" to b.portfolio().totalValue)
            }
            is ExecutionOutcome.Executed -> {
                val t = done.getOrThrow().trade
                val fill = outcome.fill
                check(t.status == TradeStatus.EXECUTED && t.fees == fill.fees && t.totalAmount == fill.totalAmount)
                check(t.price == i.dec("market_price"))
                check(fill.cashBalance == b.portfolio().cashBalance && fill.totalValue == b.portfolio().totalValue)
                jsonOf(
                    "outcome" to "EXECUTED", "notional" to fill.notional, "fees" to fill.fees, "total_amount" to fill.totalAmount,
                    "realized_pnl" to fill.realizedPnl, "cash_balance" to b.portfolio().cashBalance,
                    "total_value" to b.portfolio().totalValue, "position" to positionJson(b.position(t.symbol)),
                )
            }
        }
    }
    "mark_to_market" -> book(i).use { b ->
        b.markToMarket(i.s("symbol"), i.dec("price"), EPOCH)
        jsonOf("total_value" to b.portfolio().totalValue, "position" to positionJson(b.position(i.s("symbol"))))
    }
    "deposit", "withdraw" -> book(i).use { b ->
        if (op == "deposit") b.deposit(i.dec("amount"), EPOCH) else b.withdraw(i.dec("amount"), EPOCH)
        jsonOf("cash_balance" to b.portfolio().cashBalance, "total_value" to b.portfolio().totalValue)
    }
    "from_rows" -> book(i).use { jsonOf() }
    "cancel", "reject" -> {
        val t = pendingTrade(
            jsonOf("side" to "BUY", "order_type" to "MARKET", "symbol" to "X", "quantity" to "1", "limit_price" to null),
            tradeStatusFromStr(i.s("status")),
        )
        if (op == "cancel") {
            jsonOf("status" to tradeStatusToStr(tradeCancel(t).status))
        } else {
            val r = tradeReject(t, i.s("reason"))
            jsonOf("status" to tradeStatusToStr(r.status), "notes" to r.notes)
        }
    }
    "new_trade" -> {
        val t = tradeNew(
            NewTrade(
                id = "00000000-0000-0000-0000-000000000002", portfolioId = PORTFOLIO, symbol = i.s("symbol"),
                orderType = orderTypeFromStr(i.s("order_type")), side = tradeSideFromStr(i.s("side")), quantity = i.dec("quantity"),
                limitPrice = i.optDec("limit_price"), confidenceScore = i.optDec("confidence_score"), positionSizing = null,
                circuitBreakerState = null, volatilityLevel = null, notes = null,
            ),
            EPOCH,
        )
        jsonOf("status" to tradeStatusToStr(t.status), "guardian_approval" to guardianApprovalToStr(t.guardianApproval), "price" to t.price)
    }
    else -> error("unknown op $op")
}

/** Expected against actual: decimal strings by value, objects key by key (only the keys the vector lists). */
private fun sameSubset(expected: JsonElement, actual: JsonElement?, path: String): String? = when {
    expected is JsonObject -> {
        if (actual !is JsonObject) "$path: expected an object, got $actual"
        else expected.entries.firstNotNullOfOrNull { (k, v) -> if (k !in actual) "$path.$k: missing in $actual" else sameSubset(v, actual[k], "$path.$k") }
    }
    expected is JsonPrimitive && expected.isString && actual is JsonPrimitive && actual.isString -> {
        val e = expected.content.toBigDecimalOrNull()
        val a = actual.content.toBigDecimalOrNull()
        if ((e != null && a != null && e.compareTo(a) == 0) || expected.content == actual.content) null
        else "$path: expected ${expected.content}, got ${actual.content}"
    }
    expected == actual -> null
    else -> "$path: expected $expected, got $actual"
}

fun runAccounting(case: JsonObject) {
    val name = case.s("name")
    val result = runCatching { runOp(case.s("op"), case.obj("input")) }
    val error = case.optS("error")
    if (error != null) {
        val e = result.exceptionOrNull()
        check(e is ElsonException && errorCode(e) == error) { "$name: expected error $error, got ${result.getOrNull() ?: e}" }
        return
    }
    val e = result.exceptionOrNull()
    check(e == null) { "$name: unexpected error $e" }
    sameSubset(case.obj("expected"), result.getOrThrow(), "")?.let { error("$name: $it") }
}
