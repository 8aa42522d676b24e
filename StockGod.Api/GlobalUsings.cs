global using StockGod.Trading.Brokerage;
