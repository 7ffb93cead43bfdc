package org.elson.sdk

import java.math.BigDecimal
import java.time.Instant
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Entities cross the FFI as records and as the core's JSON, losslessly. */
class EntitiesTest {
    private val tradeJson = """
        {"id":"0192f0c1-7a3b-7cde-8f00-000000000001",
         "portfolio_id":"67e55044-10b1-426f-9247-bb680e5fe0c8",
         "symbol":"AAPL","order_type":"LIMIT","side":"BUY",
         "quantity":"1.123456","price":"187.35","status":"PENDING",
         "created_at":"2024-05-01T12:34:56.789Z","executed_at":null,
         "total_amount":null,"fees":null,"notes":null,
         "circuit_breaker_state":"CAUTIOUS","volatility_level":"NORMAL",
         "guardian_approval":"PENDING","confidence_score":"0.75","position_sizing":"0.65"}
    """.trimIndent()

    @Test
    fun `trade JSON becomes a typed record and back`() {
        val trade = tradeFromJson(tradeJson)
        assertEquals("AAPL", trade.symbol)
        assertEquals(OrderType.LIMIT, trade.orderType)
        assertEquals(TradeSide.BUY, trade.side)
        assertEquals(BigDecimal("1.123456"), trade.quantity)
        assertEquals(BigDecimal("187.35"), trade.price)
        assertEquals(Instant.parse("2024-05-01T12:34:56.789Z"), trade.createdAt)
        assertEquals(CircuitBreakerState.CAUTIOUS, trade.circuitBreakerState)
        assertEquals(GuardianApproval.PENDING, trade.guardianApproval)
        assertNull(trade.executedAt)
        // Round trip through Rust: same record, and same JSON again.
        val again = tradeFromJson(tradeToJson(trade))
        assertEquals(trade, again)
        assertEquals(tradeToJson(trade), tradeToJson(again))
    }

    @Test
    fun `money keeps every digit, never a double`() {
        val trade = tradeFromJson(tradeJson).copy(price = BigDecimal("0.10"), quantity = BigDecimal("3"))
        val json = tradeToJson(trade)
        assertTrue(json.contains("\"price\":\"0.10\""), json)
        assertEquals(BigDecimal("0.10"), tradeFromJson(json).price)
    }

    @Test
    fun `a record built in Kotlin crosses to Rust`() {
        val now = Instant.parse("2025-01-02T03:04:05Z")
        val user = User(
            id = "2f1f4c9e-8b7a-4d2c-9e1f-0a1b2c3d4e5f",
            email = "kid@example.org",
            passwordHash = "\$2b\$12\$abcdefghijklmnopqrstuv" + "w".repeat(31),
            role = UserRole.MINOR,
            firstName = null,
            lastName = null,
            dateOfBirth = LocalDate.parse("2012-06-30"),
            createdAt = now,
            updatedAt = now,
            lastLogin = null,
            status = UserStatus.BETA_TESTER,
            twoFactorEnabled = false,
            twoFactorSecret = null,
            riskProfile = RiskProfile.LOW,
            educationProgress = """{"module":3}""",
            preferences = null,
            betaFeedback = null,
        )
        val json = userToJson(user)
        assertTrue(json.contains("\"date_of_birth\":\"2012-06-30\""), json)
        assertTrue(json.contains("\"status\":\"BETA_TESTER\""), json)
        assertTrue(json.contains("\"education_progress\":{\"module\":3}"), json)
        assertEquals(user, userFromJson(json))
    }

    @Test
    fun `relationship settings are strict and defaulted`() {
        val defaults = approvalSettingsDefault()
        assertTrue(defaults.requireApproval)
        assertEquals(listOf(AssetType.STOCK, AssetType.ETF, AssetType.MUTUAL_FUND), defaults.allowedAssetTypes)
        val parsed = approvalSettingsFromJson("""{"auto_approve_below":"25.00","daily_trade_limit":3}""")
        assertEquals(BigDecimal("25.00"), parsed.autoApproveBelow)
        assertEquals(3u, parsed.dailyTradeLimit)
        val e = assertThrows<ElsonException.InvalidInput> { approvalSettingsFromJson("""{"auto_aprove_below":"1"}""") }
        assertTrue(e.reason.contains("auto_aprove_below"), e.reason)
        val p = permissionsDefault()
        assertTrue(p.deposits && p.learning && !p.trading)
        assertEquals(p.copy(trading = true), permissionsFromJson("""{"trading":true}"""))
    }

    @Test
    fun `every entity has a JSON round trip`() {
        // One minimal document per remaining entity, parsed and re-serialized.
        val ts = "2024-01-01T00:00:00Z"
        val id = "67e55044-10b1-426f-9247-bb680e5fe0c8"
        val other = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
        val portfolio = portfolioFromJson(
            """{"id":"$id","user_id":"$id","name":"Main","description":null,"created_at":"$ts","updated_at":"$ts",
               "cash_balance":"100.00","total_value":"100.00","risk_score":null,"diversification_score":50,
               "type":"EDUCATION","guardian_approval":true,"volatility_preference":"LOW","performance_metrics":null}""",
        )
        assertEquals(PortfolioType.EDUCATION, portfolio.portfolioType)
        assertEquals(portfolio, portfolioFromJson(portfolioToJson(portfolio)))
        val position = positionFromJson(
            """{"id":"$id","portfolio_id":"$id","symbol":"VTI","quantity":"2.5","average_price":"200.00",
               "current_price":"210.00","current_value":"525.00","created_at":"$ts","updated_at":"$ts",
               "last_price_update":"$ts","gain_loss":"25.00","gain_loss_percent":"5.00","asset_type":"ETF","sector":null}""",
        )
        assertEquals(position, positionFromJson(positionToJson(position)))
        val relationship = relationshipFromJson(
            """{"id":"$id","guardian_id":"$id","minor_id":"$other","relationship_type":"LEGAL_GUARDIAN",
               "created_at":"$ts","updated_at":"$ts","status":"ACTIVE",
               "approval_settings":{},"permissions":{"trading":true}}""",
        )
        assertEquals(RelationshipType.LEGAL_GUARDIAN, relationship.relationshipType)
        assertEquals(relationship, relationshipFromJson(relationshipToJson(relationship)))
        val notification = notificationFromJson(
            """{"id":"$id","user_id":"$id","related_entity_id":null,"related_entity_type":null,"type":"APPROVAL",
               "title":"Approve","message":"m","created_at":"$ts","read_at":null,"status":"UNREAD",
               "priority":"HIGH","action_url":null}""",
        )
        assertEquals(NotificationType.APPROVAL, notification.notificationType)
        assertEquals(notification, notificationFromJson(notificationToJson(notification)))
        val regime = volatilityRegimeFromJson(
            """{"id":"$id","symbol":"SPY","timestamp":"$ts","volatility_value":"0.1834","volatility_level":"NORMAL",
               "lookback_period":20,"calculation_method":"GARMAN_KLASS","circuit_breaker_state":null,
               "confidence_score":"0.80","stabilization_count":3}""",
        )
        assertEquals(VolatilityMethod.GARMAN_KLASS, regime.calculationMethod)
        assertEquals(regime, volatilityRegimeFromJson(volatilityRegimeToJson(regime)))
        val parameter = modelParameterFromJson(
            """{"id":"$id","volatility_level":"EXTREME","parameter_type":"confidence_threshold",
               "parameter_name":"min_confidence","parameter_value":"0.750000","effective_from":"$ts",
               "effective_to":null,"created_by":"admin","created_at":"$ts","updated_at":"$ts","description":null}""",
        )
        assertEquals(parameter, modelParameterFromJson(modelParameterToJson(parameter)))
        val backtest = backtestResultRowFromJson(
            """{"id":"$id","model_version":"v1","symbol":"SPY","start_date":"2020-01-02","end_date":"2020-12-31",
               "total_trades":12,"win_rate":"58.33","profit_loss":"-12.50","sharpe_ratio":"1.2345",
               "drawdown_max":"0.1000","volatility_breakdown":{"LOW":{"bars":10}},"parameters_used":{},
               "created_at":"$ts","notes":null}""",
        )
        assertEquals(LocalDate.of(2020, 12, 31), backtest.endDate)
        assertEquals(backtest, backtestResultRowFromJson(backtestResultRowToJson(backtest)))
        val feedback = betaFeedbackFromJson(
            """{"id":"$id","user_id":"$id","feedback_type":"FEATURE_REQUEST","category":null,"title":"t",
               "description":"d","severity":"CRITICAL","status":"REVIEWING","submitted_at":"$ts","updated_at":"$ts",
               "related_component":null,"environment_details":null,"screenshots":["a.png"],"assigned_to":null}""",
        )
        assertEquals(feedback, betaFeedbackFromJson(betaFeedbackToJson(feedback)))
        val flag = featureFlagFromJson(
            """{"id":"$id","flag_name":"new_ui","description":null,"enabled":true,"environment":"BETA",
               "user_percentage":25,"user_whitelist":["$id"],"created_at":"$ts","updated_at":"$ts",
               "created_by":"admin","expires_at":null}""",
        )
        assertEquals(listOf(id), flag.userWhitelist)
        assertEquals(flag, featureFlagFromJson(featureFlagToJson(flag)))
    }

    @Test
    fun `a row the core refuses is refused from JSON, naming the field`() {
        val e = assertThrows<ElsonException.InvalidInput> {
            tradeFromJson(tradeJson.replace("\"status\":\"PENDING\"", "\"status\":\"EXECUTED\""))
        }
        assertEquals("trade.executed_at", e.field, e.reason)
        val bad = assertThrows<ElsonException.InvalidInput> {
            tradeFromJson(tradeJson.replace("\"order_type\":\"LIMIT\"", "\"order_type\":\"MARKET\""))
        }
        assertEquals("trade.price", bad.field, bad.reason)
    }

    @Test
    fun `a record built in Kotlin that breaks a rule is refused where it crosses`() {
        val now = Instant.parse("2025-01-02T03:04:05Z")
        val trade = tradeFromJson(tradeJson)
        // An EXECUTED trade that never filled: refused before the core acts on it.
        val forged = trade.copy(status = TradeStatus.EXECUTED, guardianApproval = GuardianApproval.APPROVED)
        val e = assertThrows<ElsonException.InvalidInput> { tradeCancel(forged) }
        assertEquals("executed_at", e.field, e.reason)
        assertEquals(TradeStatus.CANCELLED, tradeCancel(trade).status)
        // A plaintext password is not a user, whatever the data class holds.
        val user = User(
            id = "2f1f4c9e-8b7a-4d2c-9e1f-0a1b2c3d4e5f", email = "kid@example.org", passwordHash = "hunter2",
            role = UserRole.USER, firstName = null, lastName = null, dateOfBirth = null, createdAt = now,
            updatedAt = now, lastLogin = null, status = UserStatus.ACTIVE, twoFactorEnabled = false,
            twoFactorSecret = null, riskProfile = RiskProfile.LOW, educationProgress = null, preferences = null,
            betaFeedback = null,
        )
        assertEquals("password_hash", assertThrows<ElsonException.InvalidInput> { actorOf(user) }.field)
        val flag = FeatureFlag(
            id = "67e55044-10b1-426f-9247-bb680e5fe0c8", flagName = "new_ui", description = null, enabled = true,
            environment = Environment.BETA, userPercentage = 101, userWhitelist = emptyList(), createdAt = now,
            updatedAt = now, createdBy = "ops", expiresAt = null,
        )
        val f = assertThrows<ElsonException.InvalidInput> { isEnabled(flag, user.id, Environment.BETA, now) }
        assertEquals("user_percentage", f.field)
        assertTrue(isEnabled(flag.copy(userPercentage = 100), user.id, Environment.BETA, now))
    }

    @Test
    fun `archiving twice is a retry, marking an archived notification read is not`() {
        val now = Instant.parse("2025-01-02T03:04:05Z")
        val n = notificationFromJson(
            """{"id":"67e55044-10b1-426f-9247-bb680e5fe0c8","user_id":"67e55044-10b1-426f-9247-bb680e5fe0c8",
               "related_entity_id":null,"related_entity_type":null,"type":"SYSTEM","title":"Hi","message":"",
               "created_at":"2025-01-01T00:00:00Z","read_at":null,"status":"UNREAD","priority":"LOW",
               "action_url":null}""",
        )
        val archived = notificationTransition(n, NotificationEvent.ARCHIVE, now)
        assertEquals(NotificationStatus.ARCHIVED, archived.status)
        assertEquals(archived, notificationTransition(archived, NotificationEvent.ARCHIVE, now))
        assertThrows<ElsonException.InvalidTransition> {
            notificationTransition(archived, NotificationEvent.MARK_READ, now)
        }
    }
}
