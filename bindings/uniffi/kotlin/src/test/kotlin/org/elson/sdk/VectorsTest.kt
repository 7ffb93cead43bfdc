package org.elson.sdk

import java.time.Instant
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/**
 * Every case of every shared vector file (`testdata/vectors/`), run through
 * the Kotlin bindings, must give the same result as the Rust runners.
 */
class VectorsTest {
    /** The runner of each area; a vector file without one fails [everyVectorFileHasARunner]. */
    private val runners: Map<String, (JsonObjectCase) -> Outcome> = mapOf(
        "accounting" to { c -> runAccounting(c); Outcome.Checked },
        "approval" to ::runApproval,
        "breaker" to { c -> runBreaker(c); Outcome.Checked },
        "metrics" to { c -> runMetrics(c); Outcome.Checked },
        "authorize" to ::runAuthorize,
        "flags" to ::runFlags,
        "sizing" to ::runSizing,
        "volatility" to { c -> runVolatility(c); Outcome.Checked },
    )
    private val byValue = setOf("sizing")

    @Test
    fun everyVectorFileHasARunner() {
        val areas = Vectors.areas()
        assertTrue(areas.isNotEmpty(), "no vector files in ${Vectors.dir}")
        val missing = areas - runners.keys
        assertEquals(emptyList<String>(), missing, "vector files without a Kotlin runner")
    }

    @TestFactory
    fun vectors(): List<DynamicTest> = Vectors.areas().filter { it in runners }.flatMap { area ->
        val cases = Vectors.cases(area)
        assertTrue(cases.isNotEmpty(), "$area.json has no cases")
        cases.map { case ->
            DynamicTest.dynamicTest("$area: ${case.s("name")}") {
                val got = runners.getValue(area)(case)
                // Runners that compare in their own way (tolerances, lists) return Checked.
                if (got != Outcome.Checked) checkCase(case, got, byValue = area in byValue)
            }
        }
    }

    // ---- approval -------------------------------------------------------

    private fun runApproval(case: JsonObjectCase): Outcome {
        val i = case.obj("input")
        return when (val op = case.s("op")) {
            "estimate_amount" -> outcome {
                val amount = estimateAmount(orderTypeFromStr(i.s("order_type")), i.dec("quantity"), i.optDec("limit_price"), i.optDec("market_price"))
                jsonOf("amount" to amount)
            }
            "decide" -> outcome {
                val owner = user(userRoleFromStr(i.s("owner_role")), dateOfBirth = i.optS("date_of_birth")?.let(LocalDate::parse))
                val p = portfolio(owner.id, i.bool("portfolio_guardian_approval"))
                // The JSON columns go through the strict parsers, as a store reads them.
                val links = i.arr("relationships").map { it as JsonObjectCase }.map { r ->
                    relationship(
                        newId(), owner.id, relationshipStatusFromStr(r.s("status")),
                        permissions = permissionsFromJson(r.obj("permissions").toString()),
                        settings = approvalSettingsFromJson(r.obj("approval_settings").toString()),
                    )
                }
                val decision = decideApproval(
                    ApprovalRequest(
                        owner = owner, portfolio = p, relationships = links,
                        orderType = orderTypeFromStr(i.s("order_type")), assetType = assetTypeFromStr(i.s("asset_type")),
                        amount = i.dec("amount"), tradesToday = i.long("trades_today").toUInt(), today = LocalDate.parse(i.s("today")),
                    ),
                )
                val t = applyApprovalDecision(trade(p.id), decision)
                assertEquals(approvalDecisionGuardianApproval(decision), t.guardianApproval)
                val reason = (decision as? ApprovalDecision.Rejected)?.let { rejectionReasonCode(it.reason) }
                jsonOf(
                    "decision" to guardianApprovalToStr(t.guardianApproval),
                    "reason" to reason,
                    "trade_status" to tradeStatusToStr(t.status),
                    "notes" to t.notes,
                )
            }
            "guardian_decide" -> outcome {
                // A MINOR has a date of birth (the core refuses a MINOR row without one).
                val actorRole = userRoleFromStr(i.s("actor_role"))
                val actorDob = if (actorRole == UserRole.MINOR) LocalDate.of(2014, 3, 1) else null
                val actor = user(actorRole, userStatusFromStr(i.s("actor_status")), actorDob)
                val minor = user(UserRole.MINOR, dateOfBirth = LocalDate.of(2014, 3, 1))
                val p = portfolio(minor.id, true)
                val on = if (i.bool("same_portfolio")) p.id else newId()
                val t = trade(on, tradeStatusFromStr(i.s("trade_status")), guardianApprovalFromStr(i.s("guardian_approval")))
                val links = when (val r = i.s("relationship")) {
                    "NONE" -> emptyList()
                    "OTHER_MINOR" -> listOf(relationship(actor.id, newId(), RelationshipStatus.ACTIVE))
                    else -> listOf(relationship(actor.id, minor.id, relationshipStatusFromStr(r)))
                }
                val now = Instant.parse("2026-11-25T14:00:00Z")
                val decided = when (val v = i.s("verdict")) {
                    "APPROVE" -> approveTrade(t, p, actor, links, now)
                    "REJECT" -> rejectTrade(t, p, actor, links, i.optS("reason") ?: "", now)
                    else -> error("unknown verdict $v")
                }
                assertEquals(Triple(t.id, minor.id, actor.id), Triple(decided.decision.tradeId, decided.decision.minorId, decided.decision.guardianId))
                jsonOf(
                    "trade_status" to tradeStatusToStr(decided.trade.status),
                    "guardian_approval" to guardianApprovalToStr(decided.trade.guardianApproval),
                    "notes" to decided.trade.notes,
                )
            }
            else -> error("${case.s("name")}: unknown op $op")
        }
    }

    // ---- authorize ------------------------------------------------------

    private fun runAuthorize(case: JsonObjectCase): Outcome {
        check(case.s("op") == "authorize")
        val i = case.obj("input")
        return outcome {
            val a = i.obj("actor")
            val actor = Actor(a.s("id"), userRoleFromStr(a.s("role")), userStatusFromStr(a.s("status")))
            val action = Action.valueOf(i.s("action"))
            val r = i.obj("resource")
            val resource = when (val kind = r.s("kind")) {
                "USER" -> Resource.User(r.s("id"))
                "USER_STANDING" -> Resource.UserStanding(r.s("id"))
                "PORTFOLIO" -> Resource.Portfolio(r.s("owner_id"))
                "TRADE" -> Resource.Trade(r.s("owner_id"))
                "NOTIFICATION" -> Resource.Notification(r.s("user_id"))
                "RELATIONSHIP" -> Resource.Relationship(r.s("guardian_id"), r.s("minor_id"))
                "BETA_FEEDBACK" -> Resource.BetaFeedback(r.s("user_id"))
                "FEATURE_FLAG" -> Resource.FeatureFlag
                "MODEL_PARAMETER" -> Resource.ModelParameter
                "BACKTEST_RESULT" -> Resource.BacktestResult
                "VOLATILITY_REGIME" -> Resource.VolatilityRegime
                "CIRCUIT_BREAKER" -> Resource.CircuitBreaker
                else -> error("unknown resource kind $kind")
            }
            val links = i.arr("relationships").map { it as JsonObjectCase }.map { l ->
                relationship(
                    l.s("guardian_id"), l.s("minor_id"), relationshipStatusFromStr(l.s("status")),
                    permissions = permissionsFromJson(l.obj("permissions").toString()),
                )
            }
            val access = authorize(actor, action, resource, links)
            jsonOf("basis" to access.basis.name, "audited" to access.audited)
        }
    }

    // ---- flags ----------------------------------------------------------

    private fun runFlags(case: JsonObjectCase): Outcome {
        val i = case.obj("input")
        return when (val op = case.s("op")) {
            "murmur3_32" -> outcome {
                jsonOf("hash" to murmur3Hash(i.s("text").toByteArray(Charsets.UTF_8), i.long("seed").toUInt()).toLong())
            }
            "bucket" -> outcome { jsonOf("bucket" to flagBucket(i.s("flag_name"), i.s("user_id")).toLong()) }
            "is_enabled" -> outcome {
                val now = i.time("now")
                val f = i.obj("flag")
                val flag = FeatureFlag(
                    id = "00000000-0000-0000-0000-000000000000", flagName = f.s("flag_name"), description = null,
                    enabled = f.bool("enabled"), environment = environmentFromStr(f.s("environment")),
                    userPercentage = f.long("user_percentage").toInt(),
                    userWhitelist = f.arr("user_whitelist").map { (it as kotlinx.serialization.json.JsonPrimitive).content },
                    // Created long before: a flag expires after its creation.
                    createdAt = Instant.EPOCH, updatedAt = Instant.EPOCH, createdBy = "vectors", expiresAt = f.optTime("expires_at"),
                )
                jsonOf("enabled" to isEnabled(flag, i.s("user_id"), environmentFromStr(i.s("environment")), now))
            }
            else -> error("${case.s("name")}: unknown op $op")
        }
    }

    // ---- sizing ---------------------------------------------------------

    private fun overrides(i: JsonObjectCase): List<ModelParameter> =
        if (!i.has("overrides")) emptyList() else i.arr("overrides").map { it as JsonObjectCase }.map { r ->
            ModelParameter(
                id = "00000000-0000-0000-0000-000000000000",
                volatilityLevel = volatilityLevelFromStr(r.s("volatility_level")),
                parameterType = r.s("parameter_type"), parameterName = r.s("parameter_name"),
                parameterValue = r.dec("parameter_value"), effectiveFrom = r.time("effective_from"),
                effectiveTo = r.optTime("effective_to"), createdBy = "vectors",
                createdAt = r.time("effective_from"), updatedAt = r.time("effective_from"), description = null,
            )
        }

    private fun runSizing(case: JsonObjectCase): Outcome {
        val i = case.obj("input")
        return outcome {
            ParameterSet.withOverrides(overrides(i)).use { params ->
                val at = i.time("at")
                when (val op = case.s("op")) {
                    "factor" -> jsonOf(
                        "factor" to sizingFactor(circuitBreakerStateFromStr(i.s("breaker_state")), volatilityLevelFromStr(i.s("regime")), params, at),
                    )
                    "max_buy_notional" -> jsonOf(
                        "limit" to maxBuyNotional(
                            i.dec("total_value"), riskProfileFromStr(i.s("risk_profile")),
                            circuitBreakerStateFromStr(i.s("breaker_state")), volatilityLevelFromStr(i.s("regime")), params, at,
                        ),
                    )
                    "check_buy" -> {
                        val ctx = SizingContext(
                            params = params, totalValue = i.dec("total_value"), riskProfile = riskProfileFromStr(i.s("risk_profile")),
                            breakerState = circuitBreakerStateFromStr(i.s("breaker_state")), regime = volatilityLevelFromStr(i.s("regime")), at = at,
                        )
                        val mode = SizingMode.valueOf(i.s("mode"))
                        when (val d = checkBuy(i.dec("quantity"), i.dec("price"), ctx, mode)) {
                            is SizingDecision.Accepted -> jsonOf("resized" to false, "quantity" to d.quantity, "notional" to d.notional, "limit" to d.limit)
                            is SizingDecision.Resized -> jsonOf("resized" to true, "quantity" to d.quantity, "notional" to d.notional, "limit" to d.limit)
                        }
                    }
                    "check_confidence" -> {
                        checkConfidence(i.optDec("confidence_score"), volatilityLevelFromStr(i.s("regime")), params, at)
                        jsonOf("passed" to true)
                    }
                    "parameter_value" -> jsonOf(
                        "value" to params.value(volatilityLevelFromStr(i.s("volatility_level")), i.s("parameter_type"), i.s("parameter_name"), at),
                    )
                    else -> error("${case.s("name")}: unknown op $op")
                }
            }
        }
    }
}

typealias JsonObjectCase = kotlinx.serialization.json.JsonObject
