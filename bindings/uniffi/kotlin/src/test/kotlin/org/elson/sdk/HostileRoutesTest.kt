package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Hostile routes through the store's commands (SQLite): each refused route throws the typed
 * exception, changes no row, and a refusal by the rules of access leaves a FORBIDDEN audit row;
 * the allowed route next to it does exactly what the core says.
 */
class HostileRoutesTest {
    private val hash = "\$2b\$12\$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val later = now.plus(Duration.ofMinutes(5))
    private val system = systemActor()

    /** A USER with 1,000.00; a GUARDIAN, their MINOR (ACTIVE link, trading allowed) with 500.00; another family's GUARDIAN; an ADMIN. */
    private class World(
        val store: ElsonStore,
        val user: User,
        val userPortfolio: Portfolio,
        val guardian: User,
        val minor: User,
        val link: Relationship,
        val minorPortfolio: Portfolio,
        val otherGuardian: User,
        val admin: User,
    )

    private fun world(body: suspend World.() -> Unit) = runBlocking {
        openStoreWith("sqlite::memory:", StoreConfig(bcryptCost = 4u)).use { store ->
            val user = userNew(newUser("una@example.com", hash, UserRole.USER), null, now)
            val guardian = userNew(newUser("grace@example.com", hash, UserRole.GUARDIAN), null, now)
            val minor = userNew(newUser("ada@example.com", hash, UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2012, 5, 1)), null, now)
            val otherGuardian = userNew(newUser("oscar@example.com", hash, UserRole.GUARDIAN), null, now)
            val admin = userNew(newUser("root@example.com", hash, UserRole.ADMIN), null, now)
            val link = parentLink(guardian, minor, now)
            val userPortfolio = fundedPortfolio(user, "Main", "1000.00", now)
            val minorPortfolio = fundedPortfolio(minor, "College fund", "500.00", now, guardianApproval = true)
            val report = store.importRows(
                system,
                ImportBatch(
                    users = listOf(user, guardian, minor, otherGuardian, admin),
                    relationships = listOf(link),
                    portfolios = listOf(userPortfolio, minorPortfolio),
                ),
                now,
            )
            assertEquals(ImportReport(5uL, 1uL, 2uL, 0uL, 0uL, 0uL, 0uL), report)
            World(store, user, userPortfolio, guardian, minor, link, minorPortfolio, otherGuardian, admin).body()
            store.shutdown()
        }
        Unit
    }

    private inline fun <reified T : Throwable> refused(noinline call: suspend () -> Unit): T =
        assertThrows<T> { runBlocking { call() } }

    /** The FORBIDDEN audit row of [actor]'s refused [action] (on [entityId] when given). */
    private suspend fun World.denial(actor: User, action: String, entityId: String? = null): AuditEntry {
        val log = store.auditLog(system, 1000)
        val row = log.lastOrNull {
            it.actorId == actor.id && it.action == action && it.outcome == "FORBIDDEN" && (entityId == null || it.entityId == entityId)
        }
        assertNotNull(row, "no FORBIDDEN row for ${actor.email} $action $entityId in $log")
        return row!!
    }

    private fun buy(portfolio: Portfolio, symbol: String, quantity: String, price: String, asset: AssetType = AssetType.STOCK) =
        OrderRequest(newTradeMarket(newId(), portfolio.id, symbol, TradeSide.BUY, BigDecimal(quantity)), asset, BigDecimal(price))

    @Test
    fun `an owner's execution at a price of their own is refused, changes nothing and is on record`() = world {
        val me = actorOf(user)
        val placed = store.placeTrade(me, buy(userPortfolio, "ACME", "100", "0.01"), now)
        assertEquals(TradeStatus.PENDING, placed.trade.status)
        val before = store.getTrade(me, placed.trade.id)

        // Buying at 0.01 (to sell at 10,000 later): a price is the market's, not the owner's.
        val e = refused<ElsonException.Forbidden> { store.executeTrade(me, placed.trade.id, marketFillAt(BigDecimal("0.01"), AssetType.STOCK), now) }
        assertEquals("FORBIDDEN", errorCode(e))
        // Without a price, a MARKET order is not the owner's to fill either.
        refused<ElsonException.Forbidden> { store.executeTrade(me, placed.trade.id, marketFillAtLimit(AssetType.STOCK), now) }
        assertEquals(before, store.getTrade(me, placed.trade.id))
        assertEquals(BigDecimal("1000.00"), store.getPortfolio(me, userPortfolio.id).cashBalance)
        assertEquals(BigDecimal("1000.00"), store.getPortfolio(me, userPortfolio.id).totalValue)
        assertTrue(store.positions(me, userPortfolio.id).isEmpty())
        val row = denial(user, "execute", placed.trade.id)
        assertEquals("trades", row.entity)

        // The price feed fills it, with the platform's fees: 10 × 10.00 + 0.50 minimum.
        val small = store.placeTrade(me, buy(userPortfolio, "ACME", "10", "10.00"), now)
        val filled = store.executeTrade(system, small.trade.id, marketFillAt(BigDecimal("10.00"), AssetType.STOCK), later)
        assertEquals(TradeStatus.EXECUTED, filled.trade.status)
        assertEquals(BigDecimal("0.50"), filled.trade.fees)
        assertEquals(BigDecimal("899.50"), filled.portfolio.cashBalance)

        // Nor a LIMIT order at "their own" limit: whoever sets the limit sets the price
        // (buy at a 0.01 limit, sell at a 10,000 limit). The price feed fills it, at its
        // limit price and the platform's fees.
        val limit = store.placeTrade(me, OrderRequest(newTradeLimit(newId(), userPortfolio.id, "ACME", TradeSide.BUY, BigDecimal("2"), BigDecimal("50.00")), AssetType.STOCK, null), now)
        refused<ElsonException.Forbidden> { store.executeTrade(me, limit.trade.id, marketFillAt(BigDecimal("0.01"), AssetType.STOCK), later) }
        refused<ElsonException.Forbidden> { store.executeTrade(me, limit.trade.id, marketFillAtLimit(AssetType.STOCK), later) }
        assertEquals(TradeStatus.PENDING, store.getTrade(me, limit.trade.id).status)
        val own = store.executeTrade(system, limit.trade.id, marketFillAtLimit(AssetType.STOCK), later)
        assertEquals(TradeStatus.EXECUTED, own.trade.status)
        assertEquals(BigDecimal("50.00"), own.trade.price)
        assertEquals(BigDecimal("0.50"), own.trade.fees)
        assertEquals(BigDecimal("799.00"), own.portfolio.cashBalance)
        assertEquals(BigDecimal("12"), store.positions(me, userPortfolio.id).single().quantity.stripTrailingZeros())
    }

    @Test
    fun `a minor cannot decide their own trade`() = world {
        val kid = actorOf(minor)
        val placed = store.placeTrade(kid, buy(minorPortfolio, "VTI", "1", "250.00", AssetType.ETF), now)
        assertEquals(GuardianApproval.PENDING, placed.trade.guardianApproval)
        val before = store.getTrade(kid, placed.trade.id)

        refused<ElsonException.Forbidden> { store.decideTrade(kid, placed.trade.id, Verdict.Approve, later) }
        refused<ElsonException.Forbidden> { store.decideTrade(kid, placed.trade.id, Verdict.Reject("changed my mind"), later) }
        // Nor does another family's guardian.
        refused<ElsonException.Forbidden> { store.decideTrade(actorOf(otherGuardian), placed.trade.id, Verdict.Approve, later) }
        val unchanged = store.getTrade(kid, placed.trade.id)
        assertEquals(before, unchanged)
        assertEquals(GuardianApproval.PENDING, unchanged.guardianApproval)
        assertEquals(TradeStatus.PENDING, unchanged.status)
        denial(minor, "decide", placed.trade.id)
        denial(otherGuardian, "decide", placed.trade.id)

        // Their guardian does.
        val approved = store.decideTrade(actorOf(guardian), placed.trade.id, Verdict.Approve, later)
        assertEquals(GuardianApproval.APPROVED, approved.trade.guardianApproval)
    }

    @Test
    fun `a minor cannot switch their guardian's approval off or raise their own risk profile`() = world {
        val kid = actorOf(minor)
        val off = portfolioSettingsOf(minorPortfolio).copy(guardianApproval = false)
        refused<ElsonException.Forbidden> { store.updatePortfolioSettings(kid, minorPortfolio.id, off, later) }
        assertEquals(true, store.getPortfolio(kid, minorPortfolio.id).guardianApproval)
        denial(minor, "update_settings", minorPortfolio.id)
        refused<ElsonException.Forbidden> {
            store.updateProfile(kid, minor.id, profileOf(minor).copy(riskProfile = RiskProfile.AGGRESSIVE), later)
        }
        assertEquals(RiskProfile.MODERATE, store.getUser(kid, minor.id).riskProfile)
        // The minor's own names are theirs to change.
        assertEquals("Ada", store.updateProfile(kid, minor.id, profileOf(minor).copy(firstName = "Ada"), later).firstName)

        // The guardian decides it.
        assertEquals(false, store.updatePortfolioSettings(actorOf(guardian), minorPortfolio.id, off, later).guardianApproval)
    }

    @Test
    fun `a guardian cannot verify their own link`() = world {
        val stranger = actorOf(otherGuardian)
        val proposed = store.linkGuardian(stranger, minor.id, newLinkParent(otherGuardian.id), now)
        assertEquals(RelationshipStatus.PENDING, proposed.status)

        refused<ElsonException.Forbidden> { store.acceptLink(stranger, proposed.id, later) }
        denial(otherGuardian, "accept_link", proposed.id)
        // A PENDING link counts for nothing: the child's portfolio is not theirs to read.
        refused<ElsonException.Forbidden> { store.getPortfolio(stranger, minorPortfolio.id) }

        // Verification is the platform's; afterwards the link is ACTIVE (so it was still PENDING).
        assertEquals(RelationshipStatus.ACTIVE, store.acceptLink(system, proposed.id, later).status)
        assertEquals(minorPortfolio.id, store.getPortfolio(stranger, minorPortfolio.id).id)
    }

    @Test
    fun `a minor never loses their last active guardian`() = world {
        val parent = actorOf(guardian)
        val e = refused<ElsonException.Conflict> { store.deactivateLink(parent, link.id, later) }
        assertEquals("CONFLICT", errorCode(e))
        // Still ACTIVE: the guardian still acts for the child.
        assertEquals(minorPortfolio.id, store.getPortfolio(parent, minorPortfolio.id).id)
        // The minor does not end their guardian's link either.
        refused<ElsonException.Forbidden> { store.deactivateLink(actorOf(minor), link.id, later) }
        denial(minor, "deactivate_link", link.id)

        // With a second ACTIVE guardian the first may leave.
        val second = store.linkGuardian(actorOf(otherGuardian), minor.id, newLinkParent(otherGuardian.id), now)
        store.acceptLink(system, second.id, now)
        assertEquals(RelationshipStatus.INACTIVE, store.deactivateLink(parent, link.id, later).status)
        refused<ElsonException.Forbidden> { store.getPortfolio(parent, minorPortfolio.id) }
        refused<ElsonException.Conflict> { store.deactivateLink(actorOf(otherGuardian), second.id, later) }
    }

    @Test
    fun `a minor cannot mark their portfolio to market`() = world {
        val kid = actorOf(minor)
        val placed = store.placeTrade(kid, buy(minorPortfolio, "VTI", "1", "250.00", AssetType.ETF), now)
        store.decideTrade(actorOf(guardian), placed.trade.id, Verdict.Approve, now)
        val executed = store.executeTrade(system, placed.trade.id, marketFillAt(BigDecimal("250.00"), AssetType.ETF), now)
        // 500.00 − (250.00 + 0.88 fee) + the position at 250.00.
        assertEquals(BigDecimal("249.12"), executed.portfolio.cashBalance)
        assertEquals(BigDecimal("499.12"), executed.portfolio.totalValue)

        val marks = mapOf("VTI" to BigDecimal("10000.00"))
        refused<ElsonException.Forbidden> { store.markToMarket(kid, minorPortfolio.id, marks, later) }
        refused<ElsonException.Forbidden> { store.markToMarket(actorOf(guardian), minorPortfolio.id, marks, later) }
        assertEquals(executed.portfolio.totalValue, store.getPortfolio(kid, minorPortfolio.id).totalValue)
        assertEquals(BigDecimal("250.00"), store.positions(kid, minorPortfolio.id).single().currentPrice)
        denial(minor, "mark_to_market", minorPortfolio.id)
        // The price feed's marks are checked too: a price is positive money.
        refused<ElsonException.InvalidInput> { store.markToMarket(system, minorPortfolio.id, mapOf("VTI" to BigDecimal("0.00")), later) }
        refused<ElsonException.InvalidInput> { store.markToMarket(system, minorPortfolio.id, mapOf("VTI" to BigDecimal("-1.00")), later) }

        val marked = store.markToMarket(system, minorPortfolio.id, mapOf("VTI" to BigDecimal("260.00")), later)
        assertEquals(BigDecimal("509.12"), marked.portfolio.totalValue)
    }

    @Test
    fun `only the system actor imports rows`() = world {
        // A USER's second portfolio holding 1,000,000.00, and a new account with one.
        val stranger = userNew(newUser("mallory@example.com", hash, UserRole.USER), null, now)
        val rich = fundedPortfolio(user, "Second", "1000000.00", now)
        val theirs = fundedPortfolio(stranger, "Theirs", "1000000.00", now)
        val batch = ImportBatch(users = listOf(stranger), portfolios = listOf(rich, theirs))
        for (who in listOf(user, admin, guardian, minor)) {
            refused<ElsonException.Forbidden> { store.importRows(actorOf(who), batch, now) }
            denial(who, "import")
        }
        refused<ElsonException.NotFound> { store.getUser(system, stranger.id) }
        refused<ElsonException.NotFound> { store.getPortfolio(system, rich.id) }
        refused<ElsonException.NotFound> { store.getPortfolio(system, theirs.id) }
        assertEquals(BigDecimal("1000.00"), store.getPortfolio(actorOf(user), userPortfolio.id).cashBalance)
    }

    @Test
    fun `an import whose total value is not its cash is refused whole`() = world {
        val newcomer = userNew(newUser("nina@example.com", hash, UserRole.USER), null, now)
        val inflated = fundedPortfolio(newcomer, "Inflated", "100.00", now).copy(totalValue = BigDecimal("150.00"))
        val e = refused<ElsonException.InvalidInput> {
            store.importRows(system, ImportBatch(users = listOf(newcomer), portfolios = listOf(inflated)), now)
        }
        assertEquals("INVALID_INPUT", errorCode(e))
        // All or nothing: not even the valid user row of the batch was written.
        refused<ElsonException.NotFound> { store.getUser(system, newcomer.id) }
        refused<ElsonException.NotFound> { store.getPortfolio(system, inflated.id) }

        // The same rows, consistent, import.
        val fixed = inflated.copy(totalValue = BigDecimal("100.00"))
        val report = store.importRows(system, ImportBatch(users = listOf(newcomer), portfolios = listOf(fixed)), now)
        assertEquals(1uL, report.users)
        assertEquals(1uL, report.portfolios)
        assertEquals(BigDecimal("100.00"), store.getPortfolio(actorOf(newcomer), fixed.id).totalValue)
    }

    @Test
    fun `a suspended user may not act, and only an admin suspends`() = world {
        refused<ElsonException.Forbidden> { store.setStatus(actorOf(user), user.id, UserStatus.SUSPENDED, now) }
        refused<ElsonException.Forbidden> { store.setStatus(actorOf(guardian), minor.id, UserStatus.SUSPENDED, now) }
        refused<ElsonException.Forbidden> { store.setRole(actorOf(user), user.id, UserRole.ADMIN, now) }
        assertEquals(UserStatus.SUSPENDED, store.setStatus(actorOf(admin), user.id, UserStatus.SUSPENDED, now).status)
        refused<ElsonException.Forbidden> { store.deposit(actorOf(user), userPortfolio.id, BigDecimal("10.00"), later) }
        refused<ElsonException.Forbidden> { store.placeTrade(actorOf(user), buy(userPortfolio, "ACME", "1", "10.00"), later) }
        assertEquals(BigDecimal("1000.00"), store.getPortfolio(system, userPortfolio.id).cashBalance)
        assertTrue(store.tradeHistory(system, userPortfolio.id, 10, 0).isEmpty())
        denial(user, "deposit", userPortfolio.id)
    }
}
