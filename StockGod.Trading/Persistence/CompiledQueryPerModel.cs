using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace StockGod.Trading.Persistence;

/// <summary>
/// A compiled query (<c>EF.CompileAsyncQuery</c>) per EF model. A compiled query refuses a context of another model than the one it first ran with, and a
/// process has one model per data source it uses (the tests' hosts each have their own database): compiling once per
/// model keeps the saving without tying the query to the first model that ran it.
/// </summary>
internal sealed class CompiledQueryPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = [];

    public TQuery For(DbContext db)
    {
        var model = db.Model;
        return _byModel.TryGetValue(model, out var query) ? query : _byModel.GetValue(model, _ => compile());
    }
}
