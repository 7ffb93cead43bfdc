package org.elson.sdk

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * A family's first trade, end to end, through the Kotlin API (the Rust
 * quickstart's story): deposit → minor's trade → guardian approval →
 * execution → portfolio.
 */
class FamilyScenarioTest {
    private val hash = "\$2b\$12\$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."
    private val now = Instant.parse("2026-11-25T15:00:00Z")
    private val later = now.plus(Duration.ofMinutes(5))

    @Test
    fun `deposit, minor's trade, approval, execution, portfolio`() {
        // 1. The family.
        val guardian = userNew(newUser("Grace@Example.com", hash, UserRole.GUARDIAN), null, now)
        assertEquals("grace@example.com", guardian.email) // normalized by the core
        val minor = userNew(newUser("ada@example.com", hash, UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2012, 5, 1)), null, now)
        val link = relationshipNew(
            newRelationship(guardian.id, minor.id, RelationshipType.PARENT)
                .copy(status = RelationshipStatus.ACTIVE, permissions = permissionsDefault().copy(trading = true)),
            null, now,
        )
        val links = listOf(link)
        val standing = checkMinor(minor, links, LocalDate.of(2026, 11, 25))
        assertEquals(14u, standing.age)
        assertEquals(listOf(guardian.id), standing.activeGuardianIds)
        assertTrue(standing.canTrade)

        // 2. The minor's education portfolio, funded by a deposit.
        val portfolio = portfolioNew(
            newPortfolioStandard(minor.id, "College fund").copy(portfolioType = PortfolioType.EDUCATION, guardianApproval = true),
            newId(), now,
        )
        Book(portfolio).use { book ->
            book.deposit(BigDecimal("1000.00"), now)
            assertEquals(BigDecimal("1000.00"), book.portfolio().cashBalance)

            // 3. The minor places a market order; the approval rules decide: PENDING.
            val marketPrice = BigDecimal("250.00")
            var trade = tradeNew(newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.BUY, BigDecimal("2")), now)
            val amount = estimateAmount(OrderType.MARKET, trade.quantity, null, marketPrice)
            assertEquals(BigDecimal("500.00"), amount)
            val decision = decideApproval(
                ApprovalRequest(minor, book.portfolio(), links, OrderType.MARKET, AssetType.ETF, amount, 0u, LocalDate.of(2026, 11, 25)),
            )
            assertEquals(ApprovalDecision.Pending, decision)
            trade = applyApprovalDecision(trade, decision)
            assertEquals(GuardianApproval.PENDING, trade.guardianApproval)

            // The guardian hears about it: APPROVAL, priority HIGH.
            val waiting = notificationsFor(DomainEvent.TradeAwaitingApproval(tradeSummaryOf(trade, minor.id), listOf(guardian.id)), now)
            val n = waiting.single()
            assertEquals(guardian.id, n.userId)
            assertEquals(NotificationType.APPROVAL, n.notificationType)
            assertEquals(NotificationPriority.HIGH, n.priority)
            assertEquals(trade.id, n.relatedEntityId)

            // 4. It cannot execute before the guardian decides; the error carries the trade id.
            val exec = Execution(marketPrice, AssetType.ETF, feeScheduleDefault(), now)
            val blocked = assertThrows<ElsonException.ApprovalRequired> { book.execute(trade, exec) }
            assertEquals(trade.id, blocked.tradeId)
            assertEquals(BigDecimal("1000.00"), book.portfolio().cashBalance) // nothing changed

            // A stranger may not decide.
            val stranger = userNew(newUser("x@example.com", hash, UserRole.GUARDIAN), null, now)
            assertThrows<ElsonException.Forbidden> { approveTrade(trade, book.portfolio(), stranger, emptyList(), later) }

            // 5. The guardian approves; the minor hears back; the trade executes.
            val decided = approveTrade(trade, book.portfolio(), guardian, links, later)
            assertEquals(GuardianApproval.APPROVED, decided.decision.guardianApproval)
            assertEquals(later, decided.decision.decidedAt)
            val back = notificationsFor(approvalDecidedEvent(decided), later).single()
            assertEquals(minor.id, back.userId)
            val executed = book.execute(decided.trade, exec.copy(now = later))
            val fill = (executed.outcome as ExecutionOutcome.Executed).fill
            assertEquals(BigDecimal("500.00"), fill.notional)
            assertEquals(BigDecimal("1.75"), fill.fees) // 0.35 %
            assertEquals(BigDecimal("501.75"), fill.totalAmount)
            assertEquals(TradeStatus.EXECUTED, executed.trade.status)
            assertEquals(later, executed.trade.executedAt)
            assertNull(fill.realizedPnl)
            // Executing twice is refused: nothing leaves a final state.
            assertThrows<ElsonException.InvalidTransition> { book.execute(executed.trade, exec) }

            // 6. The market moves; the portfolio is marked to market.
            book.markToMarket("VTI", BigDecimal("255.10"), later.plus(Duration.ofHours(1)))
            val p = book.portfolio()
            val pos = book.positions().single()
            assertEquals(BigDecimal("498.25"), p.cashBalance)
            assertEquals(BigDecimal("510.20"), pos.currentValue)
            assertEquals(BigDecimal("10.20"), pos.gainLoss)
            assertEquals(BigDecimal("2.04"), pos.gainLossPercent)
            assertEquals(p.cashBalance + pos.currentValue, p.totalValue) // 1008.45, exactly
            assertEquals(AssetType.ETF, pos.assetType)

            // Selling more than is held names both quantities.
            val sell = tradeNew(newTradeMarket(newId(), portfolio.id, "VTI", TradeSide.SELL, BigDecimal("3")), later)
            val short = assertThrows<ElsonException.InsufficientQuantity> { book.execute(sell, exec.copy(now = later)) }
            assertEquals("VTI", short.symbol)
            assertEquals(BigDecimal("3"), short.requested)
            assertEquals(0, BigDecimal("2").compareTo(short.held))
            // Withdrawing more than the cash names both amounts.
            val broke = assertThrows<ElsonException.InsufficientFunds> { book.withdraw(BigDecimal("500.00"), later) }
            assertEquals(BigDecimal("500.00"), broke.needed)
            assertEquals(BigDecimal("498.25"), broke.available)
        }
    }

    @Test
    fun `rules reject at creation and a guardian rejects with a reason`() {
        val guardian = userNew(newUser("g@example.com", hash, UserRole.GUARDIAN), null, now)
        val minor = userNew(newUser("m@example.com", hash, UserRole.MINOR).copy(dateOfBirth = LocalDate.of(2013, 1, 1)), null, now)
        val settings = approvalSettingsFromJson("""{"max_trade_amount": "100.00"}""")
        val link = relationshipNew(
            newRelationship(guardian.id, minor.id, RelationshipType.LEGAL_GUARDIAN)
                .copy(status = RelationshipStatus.ACTIVE, permissions = permissionsDefault().copy(trading = true), approvalSettings = settings),
            null, now,
        )
        val portfolio = portfolioNew(newPortfolioStandard(minor.id, "Savings").copy(guardianApproval = true), newId(), now)
        val today = now.atOffset(ZoneOffset.UTC).toLocalDate()
        val over = decideApproval(ApprovalRequest(minor, portfolio, listOf(link), OrderType.MARKET, AssetType.STOCK, BigDecimal("150.00"), 0u, today))
        val reason = (over as ApprovalDecision.Rejected).reason
        assertEquals(RejectionReason.AmountOverMaximum(BigDecimal("150.00"), BigDecimal("100.00")), reason)
        assertEquals("AMOUNT_OVER_MAXIMUM", rejectionReasonCode(reason))
        val rejected = applyApprovalDecision(tradeNew(newTradeMarket(newId(), portfolio.id, "AAPL", TradeSide.BUY, BigDecimal("1")), now), over)
        assertEquals(TradeStatus.REJECTED, rejected.status)
        assertEquals(rejectionReasonText(reason), rejected.notes)
        // Crypto is outside the default allowed asset types.
        val crypto = decideApproval(ApprovalRequest(minor, portfolio, listOf(link), OrderType.MARKET, AssetType.CRYPTO, BigDecimal("10.00"), 0u, today))
        assertEquals(ApprovalDecision.Rejected(RejectionReason.AssetTypeNotAllowed(AssetType.CRYPTO)), crypto)

        val pending = applyApprovalDecision(
            tradeNew(newTradeMarket(newId(), portfolio.id, "AAPL", TradeSide.BUY, BigDecimal("1")), now),
            ApprovalDecision.Pending,
        )
        assertThrows<ElsonException.InvalidInput> { rejectTrade(pending, portfolio, guardian, listOf(link), "  ", later) }
        val no = rejectTrade(pending, portfolio, guardian, listOf(link), "too risky", later)
        assertEquals(TradeStatus.REJECTED, no.trade.status)
        assertEquals("too risky", no.decision.reason)
        // The first decision wins.
        assertThrows<ElsonException.InvalidTransition> { approveTrade(no.trade, portfolio, guardian, listOf(link), later) }
        // The guardian reads the minor's trades (audited) but never trades for them.
        val actor = actorOf(guardian)
        val read = authorize(actor, Action.READ, Resource.Trade(minor.id), listOf(link))
        assertEquals(AccessBasis.GUARDIAN, read.basis)
        assertTrue(read.audited)
        assertThrows<ElsonException.Forbidden> { authorize(actor, Action.CREATE, Resource.Trade(minor.id), listOf(link)) }
    }
}
